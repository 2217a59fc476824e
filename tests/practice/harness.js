/* The tests' view of a practice page in Node: its data and its printed formulas, read from the page as
   written, and the page's own script (practice.js) for judging. Reads a request as JSON on standard input
   ({"page": path, "script": path, "do": [...]}) and writes the answers as JSON. */
"use strict";
const fs = require("fs");
const vm = require("vm");

const request = JSON.parse(fs.readFileSync(0, "utf8"));
const html = fs.readFileSync(request.page, "utf8");
const practice = require(request.script);

function between(text, open, close) {
  const start = text.indexOf(open);
  if (start < 0) { throw new Error("not in the page: " + open); }
  const end = text.indexOf(close, start + open.length);
  return text.slice(start + open.length, end);
}

const data = JSON.parse(between(html, '<script type="application/json" id="practice-data">', "</script>"));
const code = between(html, "/* Every step's value, and its value under each catalogued mistake, printed from SymPy by derive. */",
                     "</script>");
const context = {};
vm.runInNewContext(code + "\nthis.DERIVE_FORMULAS = DERIVE_FORMULAS;", context);
const formulas = context.DERIVE_FORMULAS(practice.sigmoid, practice.relu, practice.step);

function given(variant) {
  const v = {};
  for (const [k, x] of Object.entries(variant.given)) { v[k] = Number(x); }
  return v;
}

/* Each step's formula at the truth of the steps before it. */
function atTruth(variant) {
  const v = given(variant);
  return data.steps.map((s, i) => {
    const value = formulas[i].value(v);
    const mistakes = {};
    for (const [name, f] of Object.entries(formulas[i].mistakes)) { mistakes[name] = f(v); }
    v[s.claim] = Number(variant.truth[i]);
    return {value, mistakes};
  });
}

/* The steps worked out in order with `mistake` in every step it touches (null: none), `own` answers
   (by index) in place of the steps they answer. */
function chain(variant, mistake, own) {
  const v = given(variant);
  return data.steps.map((s, i) => {
    const f = mistake !== null && formulas[i].mistakes[mistake] ? formulas[i].mistakes[mistake] : formulas[i].value;
    v[s.claim] = own && own[i] !== undefined ? Number(own[i]) : f(v);
    return v[s.claim];
  });
}

/* The verdicts of the page's judge on a student's answers (by index, as typed), in the page's order. */
function verdicts(variant, answers) {
  const model = {steps: data.steps, formulas, variant, entries: []};
  return data.steps.map((s, i) => {
    const parsed = practice.parseNumber(answers[i] !== undefined ? answers[i] : "");
    const verdict = practice.judge(model, i, parsed);
    model.entries[i] = {parsed, status: verdict.status, verdict};
    return verdict;
  });
}

const out = request.do.map((job) => {
  const variant = data.variants[job.variant || 0];
  if (job.kind === "steps") { return data.steps; }
  if (job.kind === "truth") { return atTruth(variant); }
  if (job.kind === "chain") { return chain(variant, job.mistake, job.own || null); }
  if (job.kind === "judge") { return verdicts(variant, job.answers); }
  if (job.kind === "rules") {
    return job.cases.map(([truth, text]) => {
      const parsed = practice.parseNumber(text);
      return parsed.error || parsed.empty ? null : practice.agreesExact(truth, parsed);
    });
  }
  if (job.kind === "shown") { return job.cases.map(([truth, k]) => practice.shown(truth, k)); }
  if (job.kind === "typo") { return job.cases.map(([a, b]) => practice.typo(a, b)); }
  if (job.kind === "parse") { return job.cases.map((t) => practice.parseNumber(t)); }
  throw new Error("unknown job " + job.kind);
});
process.stdout.write(JSON.stringify(out));
