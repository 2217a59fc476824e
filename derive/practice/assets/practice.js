/* derive practice: the script of the practice page.

   It reads the page's data (#practice-data: the steps, their dependencies and mistakes, every
   variant's numbers and truths, the sentences) and the formulas printed from SymPy (DERIVE_FORMULAS:
   each step's value, and its value under each catalogued mistake, as a function of the given numbers
   and the earlier steps). It computes nothing else. An answer is read as a decimal number (never run
   as code) and judged, in this order:
     right     the truth rounded or truncated to the significant digits written gives it (and it has
               the digits asked, or is the truth exactly; with fewer it is "right as far as it goes");
     carried   written with the digits asked, it is what the step's formula gives from the student's own
               earlier answers (the truth where they gave none), within the spread their written digits
               allow: "right from your earlier value on line N" (or from rounded values: keep more digits);
     mistake   a catalogued mistake's formula, from the same values, gives it: named and explained;
     slip      one digit wrong or two swapped, as the checker names a copying slip;
     wrong     nothing explains it.
   Progress stays in localStorage; nothing is sent anywhere. In Node (the tests) the functions that
   judge are exported and nothing touches a page. */
var DerivePractice = (function () {
  "use strict";

  // --- the functions the printed formulas call ---------------------------------------------------
  function sigmoid(x) {
    if (x >= 0) { return 1 / (1 + Math.exp(-x)); }
    var e = Math.exp(x);
    return e / (1 + e);
  }
  function relu(x) { return x > 0 ? x : 0; }
  function step(x) { return x > 0 ? 1 : 0; }  // relu's slope, 0 at 0

  // --- numbers as written ------------------------------------------------------------------------
  var NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/;

  /* A decimal number as written: its sign, its significant digits (leading zeros dropped, trailing ones
     kept), the power of ten of its last digit, and its value; or why it is not one. */
  function parseNumber(raw) {
    var text = String(raw).trim().replace(/\u2212/g, "-");
    if (text === "") { return {empty: true}; }
    if (/^[+-]?\d*,\d+$/.test(text)) { return {error: "comma"}; }
    var m = NUMBER.exec(text);
    if (!m || (m[2] === "" && !m[3])) { return {error: "invalid"}; }
    var whole = m[2], fraction = m[3] || "", exponent = m[4] ? parseInt(m[4], 10) : 0;
    var digits = (whole + fraction).replace(/^0+/, "");
    var value = Number(text);
    if (!isFinite(value)) { return {error: "invalid"}; }
    return {text: text, negative: m[1] === "-" && digits !== "", digits: digits,
            last: exponent - fraction.length, significant: Math.max(digits.length, 1), value: value};
  }

  /* `digits` (a string of digits) + 1 in its last place. */
  function increment(digits) {
    var out = digits.split(""), i = out.length - 1;
    while (i >= 0) {
      if (out[i] === "9") { out[i] = "0"; i -= 1; } else { out[i] = String(Number(out[i]) + 1); return out.join(""); }
    }
    return "1" + out.join("");
  }

  /* The number `n` (parsed) to `k` significant digits, as {digits, last}: rounded half to even ("even"),
     rounded with a value exactly half way going up ("up", as schools round), or truncated ("down"). */
  function toDigits(n, k, mode) {
    var d = n.digits;
    if (d.length <= k) {
      var pad = k - d.length;
      return {digits: d + "0".repeat(pad), last: n.last - pad};
    }
    var kept = d.slice(0, k), rest = d.slice(k), last = n.last + rest.length;
    if (mode !== "down") {
      var first = rest.charAt(0), beyond = /[1-9]/.test(rest.slice(1));
      var odd = Number(kept.charAt(kept.length - 1)) % 2 === 1;
      if (first > "5" || (first === "5" && (beyond || odd || mode === "up"))) {
        var up = increment(kept);
        if (up.length > k) { up = up.slice(0, k); last += 1; }
        kept = up;
      }
    }
    return {digits: kept, last: last};
  }

  /* The truth (a decimal string of many digits) rounded or truncated to the digits `answer` is written
     with gives `answer`: the checker's rule. */
  function agreesExact(truthText, answer) {
    var truth = parseNumber(truthText);
    if (truth.digits === "" || answer.digits === "") { return truth.digits === answer.digits; }
    if (truth.negative !== answer.negative) { return false; }
    return ["even", "up", "down"].some(function (mode) {
      var r = toDigits(truth, answer.significant, mode);
      return r.digits === answer.digits && r.last === answer.last;
    });
  }

  /* One unit of the last digit written; none for a zero, which the checker takes as exactly 0. */
  function unit(answer) { return answer.digits === "" ? 0 : Math.pow(10, answer.last); }

  /* Some value within `slack` of `value` rounds or truncates to `answer`. */
  function agreesNear(answer, value, slack) {
    if (!isFinite(value)) { return false; }
    var u = unit(answer), a = answer.value, s = slack + 1e-12 * Math.abs(value);
    var low = a - u / 2, high = a + u / 2;  // rounded
    if (a > 0 || (a === 0 && value >= 0)) { high = a + u; } else { low = a - u; }  // truncated toward 0
    return value + s >= low && value - s <= high;
  }

  /* The truth rounded to `k` digits, written as the checker shows a number (trailing zeros dropped). */
  function shown(truthText, k) {
    var truth = parseNumber(truthText);
    if (truth.digits === "") { return "0"; }
    var r = toDigits(truth, k, "even");
    var exponent = r.last + r.digits.length - 1;
    var text;
    if (exponent >= -6 && exponent < Math.max(k, 7)) {
      var point = r.digits.length + r.last;  // digits before the decimal point
      if (point <= 0) { text = "0." + "0".repeat(-point) + r.digits; }
      else if (point >= r.digits.length) { text = r.digits + "0".repeat(point - r.digits.length); }
      else { text = r.digits.slice(0, point) + "." + r.digits.slice(point); }
      if (text.indexOf(".") >= 0) { text = text.replace(/0+$/, "").replace(/\.$/, ""); }
    } else {
      var mantissa = r.digits.charAt(0) + (r.digits.length > 1 ? "." + r.digits.slice(1) : "");
      if (mantissa.indexOf(".") >= 0) { mantissa = mantissa.replace(/0+$/, "").replace(/\.$/, ""); }
      text = mantissa + "e" + exponent;
    }
    return text;
  }

  /* "one digit wrong" or "two digits swapped" when `written` is `truth` with that slip. */
  function typo(written, truth) {
    if (written.length !== truth.length || written === truth) { return null; }
    var diffs = [];
    for (var i = 0; i < written.length; i++) { if (written.charAt(i) !== truth.charAt(i)) { diffs.push(i); } }
    if (diffs.length === 1 && /\d/.test(written.charAt(diffs[0]))) { return "one_digit"; }
    if (diffs.length === 2 && diffs[1] === diffs[0] + 1 && written.charAt(diffs[0]) === truth.charAt(diffs[1])
        && written.charAt(diffs[1]) === truth.charAt(diffs[0])) { return "two_swapped"; }
    return null;
  }

  // --- judging -----------------------------------------------------------------------------------
  var OWN = {right: true, short: true, carried: true, rounded: true, mistake: true, slip: true, wrong: true};
  var RIGHT = {right: true, short: true};

  /* The values a formula of step `i` reads: the given numbers, and each earlier step's value, the
     student's own where they answered it, else the truth. */
  function world(model, i) {
    var v = {}, variant = model.variant;
    Object.keys(variant.given).forEach(function (k) { v[k] = Number(variant.given[k]); });
    for (var j = 0; j < i; j++) {
      var e = model.entries[j], own = e && e.parsed && OWN[e.status];
      v[model.steps[j].claim] = own ? e.parsed.value : Number(variant.truth[j]);
    }
    return v;
  }

  /* A formula's value from `v`, and the spread its inputs' written digits allow. */
  function spread(model, i, f, v) {
    var value = f(v), total = 0;
    model.steps[i].deps.forEach(function (j) {
      var e = model.entries[j];
      if (!(e && e.parsed && OWN[e.status])) { return; }
      var claim = model.steps[j].claim, at = v[claim], u = unit(e.parsed);
      v[claim] = at + u;
      var up = Math.abs(f(v) - value);
      v[claim] = at - u;
      var down = Math.abs(f(v) - value);
      v[claim] = at;
      total += Math.max(up, down);
    });
    return {value: value, slack: total};
  }

  /* The verdict on the answer `parsed` to step `i` (see the header). */
  function judge(model, i, parsed) {
    var variant = model.variant, meta = model.steps[i];
    if (parsed.empty) { return {status: ""}; }
    if (parsed.error) { return {status: parsed.error === "comma" ? "comma" : "invalid"}; }
    if (agreesExact(variant.truth[i], parsed)) {
      var exact = parseNumber(variant.truth[i]).digits.length <= parsed.significant;  // all of an exact truth
      return exact || parsed.significant >= variant.digits[i] ? {status: "right"}
        : {status: "short", digits: variant.digits[i]};
    }
    var v = world(model, i), own = [], rounded = [];
    meta.deps.forEach(function (j) {
      var e = model.entries[j];
      if (e && e.parsed && OWN[e.status]) { (RIGHT[e.status] ? rounded : own).push(model.steps[j].line); }
    });
    own.sort(function (a, b) { return a - b; });
    rounded.sort(function (a, b) { return a - b; });
    var formulas = model.formulas[i];
    // carried forward only with the digits asked, as derive grade compares to them: a number of fewer digits
    // is near too many values to say which it came from
    if ((own.length || rounded.length) && parsed.significant >= variant.digits[i]) {
      var carried = spread(model, i, formulas.value, v);
      if (agreesNear(parsed, carried.value, carried.slack)) {
        return own.length ? {status: "carried", lines: own} : {status: "rounded", lines: rounded};
      }
    }
    var named = meta.mistakes.filter(function (name) {
      var m = spread(model, i, formulas.mistakes[name], v);
      return agreesNear(parsed, m.value, m.slack);
    });
    if (named.length) { return {status: "mistake", mistakes: named}; }
    var truth = variant.truth[i], negative = truth.charAt(0) === "-";
    if (parsed.significant >= 3 && negative === parsed.negative) {
      var slip = typo(parsed.text.replace(/^[+-]/, ""), shown(truth.replace(/^-/, ""), parsed.significant));
      if (slip) { return {status: "slip", slip: slip}; }
    }
    return {status: "wrong"};
  }

  // --- the page ----------------------------------------------------------------------------------
  function page() {
    var data = JSON.parse(document.getElementById("practice-data").textContent);
    var formulas = DERIVE_FORMULAS(sigmoid, relu, step);
    var say = data.messages, steps = data.steps, store = storage();
    var select = document.getElementById("variant");
    var model = {steps: steps, formulas: formulas, variant: null, entries: []};
    var current = 0;

    function fill(template, values) {
      return template.replace(/@([a-z]+)/g, function (all, key) { return key in values ? values[key] : all; });
    }
    function lines(list) {
      return list.map(function (n) { return fill(say.line, {n: n}); }).join(say.and);
    }
    function sentence(verdict) {
      switch (verdict.status) {
        case "right": return "\u2713 " + say.said_right;
        case "short": return "\u2026 " + fill(say.said_short, {digits: verdict.digits});
        case "carried": return "\u2713 " + fill(say.said_carried, {lines: lines(verdict.lines)});
        case "rounded": return "\u2713 " + fill(say.said_rounded, {lines: lines(verdict.lines)});
        case "mistake": return "\u2717 " + fill(say.said_mistake, {mistakes: verdict.mistakes.map(function (m) {
          return m + ": " + data.mistakes[m]; }).join("; ")});
        case "slip": return "\u2717 " + fill(say.said_slip, {slip: say[verdict.slip]});
        case "wrong": return "\u2717 " + say.said_wrong;
        case "invalid": return "? " + say.said_invalid;
        case "comma": return "? " + say.said_comma;
        case "shown": return say.said_shown;
        default: return "";
      }
    }
    function key(suffix) { return "derive-practice:" + data.page + ":" + suffix; }
    function saved() {
      var found = store.get(key(model.variant.id));
      return found && typeof found === "object" ? found : {answers: {}, hints: {}, shown: {}};
    }
    function save() {
      var state = {answers: {}, hints: {}, shown: {}};
      steps.forEach(function (s, i) {
        var e = model.entries[i];
        if (e.text) { state.answers[s.claim] = e.text; }
        if (e.hint) { state.hints[s.claim] = e.hint; }
        if (e.shown) { state.shown[s.claim] = true; }
      });
      store.set(key(model.variant.id), state);
      store.set(key("current"), model.variant.id);
    }

    function typeset(el) {
      el.querySelectorAll(".math").forEach(function (m) {
        if (m.getAttribute("data-typeset")) { return; }
        var tex = m.textContent;
        try {
          katex.render(tex, m, {displayMode: m.classList.contains("display"), throwOnError: true, strict: "error",
                                output: "htmlAndMathml"});
        } catch (err) {
          m.textContent = tex;
          m.classList.add("katex-failed");
          m.setAttribute("data-katex-error", String(err && err.message ? err.message : err));
          console.error("KaTeX could not typeset " + JSON.stringify(tex) + ": " + err);
        }
        m.setAttribute("data-typeset", "1");
      });
    }
    /* `tex` typeset in `box` (in place of what it held). */
    function maths(box, tex, display) {
      var el = document.createElement(display ? "div" : "span");
      el.className = "math " + (display ? "display" : "inline");
      el.textContent = tex;
      box.textContent = "";
      box.appendChild(el);
      typeset(box);
    }

    function show(i) {
      var e = model.entries[i], fb = document.getElementById("f-" + i);
      var text = sentence(e.verdict);
      if (fb.textContent !== text) { fb.textContent = text; }
      fb.setAttribute("data-status", e.verdict.status);
      fb.setAttribute("data-lines", (e.verdict.lines || []).join(" "));
      fb.setAttribute("data-mistakes", (e.verdict.mistakes || []).join("|"));
      var input = document.getElementById("a-" + i);
      input.setAttribute("aria-invalid", /^(mistake|slip|wrong|invalid|comma)$/.test(e.verdict.status) ? "true" : "false");
      input.readOnly = !!e.shown;
    }
    function rejudge(from) {
      for (var i = from; i < steps.length; i++) {
        var e = model.entries[i];
        e.verdict = e.shown ? {status: "shown"} : judge(model, i, e.parsed);
        e.status = e.verdict.status;
        show(i);
      }
      var done = model.entries.filter(function (e) { return /^(right|carried|rounded)$/.test(e.status); }).length;
      document.getElementById("progress").textContent = fill(say.progress, {done: done, count: steps.length});
      exported();
    }
    function answer(i, text) {
      var e = model.entries[i];
      e.text = text;
      e.parsed = parseNumber(text);
      rejudge(i);
      save();
    }

    function reveal(i, level) {
      var e = model.entries[i], box = document.getElementById("h-" + i);
      e.hint = Math.max(e.hint || 0, level);
      box.hidden = e.hint === 0;
      for (var k = 1; k <= 4; k++) {
        var part = box.querySelector(".level-" + k);
        part.hidden = k > e.hint;
        if (k > e.hint) { continue; }
        if (k === 3) { maths(part.querySelector(".numbers"), model.variant.numbers[i], true); }
        if (k === 4) { maths(part.querySelector(".step-shown"), model.variant.step[i], true); }
        typeset(part);
      }
      var button = document.getElementById("hb-" + i);
      button.disabled = e.hint >= 3;
      button.textContent = e.hint ? fill(say.hint_more, {}) : say.hint;
      button.setAttribute("aria-expanded", e.hint ? "true" : "false");
    }
    function showStep(i) {
      var e = model.entries[i];
      e.shown = true;
      reveal(i, 4);
      document.getElementById("a-" + i).value = model.variant.shown[i];
      answer(i, model.variant.shown[i]);
    }

    function load(index) {
      current = index;
      model.variant = data.variants[index];
      select.value = String(index);
      var state = saved();
      model.entries = steps.map(function (s) {
        var text = state.answers[s.claim] || "";
        return {text: text, parsed: parseNumber(text), hint: 0, shown: !!state.shown[s.claim], status: "", verdict: {}};
      });
      steps.forEach(function (s, i) {
        document.getElementById("a-" + i).value = model.entries[i].text;
        var box = document.getElementById("h-" + i);
        box.hidden = true;
        box.querySelectorAll(".level").forEach(function (p) { p.hidden = true; });
        model.entries[i].hint = 0;
        reveal(i, state.hints[s.claim] || (model.entries[i].shown ? 4 : 0));
      });
      var rows = document.getElementById("numbers-body");
      rows.textContent = "";
      model.variant.values.forEach(function (row) {
        var tr = document.createElement("tr"), a = document.createElement("td"), b = document.createElement("td");
        var m = document.createElement("span");
        m.className = "math inline";
        m.textContent = row[0];
        a.appendChild(m);
        b.textContent = row[1];
        tr.appendChild(a);
        tr.appendChild(b);
        rows.appendChild(tr);
      });
      typeset(rows);
      document.getElementById("figure").innerHTML = model.variant.figure;  // printed by derive, names validated
      document.getElementById("variant-title").textContent = select.options[index].textContent;
      rejudge(0);
      store.set(key("current"), model.variant.id);
    }

    function exported() {
      var out = ["# " + fill(say.export_head, {title: data.title, id: model.variant.id, count: data.count,
                                                seed: data.seed}),
                 "# " + fill(say.variant_line, {id: model.variant.id})];
      var shownLines = [];
      steps.forEach(function (s, i) {
        var e = model.entries[i];
        if (e.shown) { shownLines.push("# " + say.export_shown + " " + s.claim + " = " + model.variant.shown[i]); }
        else if (e.parsed && e.parsed.text) { out.push(s.claim + " = " + e.parsed.text); }
      });
      document.getElementById("claims").value = out.concat(shownLines).join("\n") + "\n";
    }
    function download(name, text, type) {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([text], {type: type}));
      link.download = name;
      document.body.appendChild(link);
      link.click();
      setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 0);
    }

    document.querySelectorAll("input.answer").forEach(function (input) {
      var i = Number(input.getAttribute("data-index"));
      input.addEventListener("change", function () { answer(i, input.value); });
      input.addEventListener("keydown", function (event) {
        if (event.key !== "Enter") { return; }
        event.preventDefault();
        answer(i, input.value);
        var next = document.getElementById("a-" + steps[i].next);  // the next box as the page shows them
        if (next) { next.focus(); }
      });
    });
    document.querySelectorAll("button.hint").forEach(function (b) {
      var i = Number(b.getAttribute("data-index"));
      b.addEventListener("click", function () {
        reveal(i, (model.entries[i].hint || 0) + 1);
        save();
        if (b.disabled) { document.getElementById("sb-" + i).focus(); }  // the keyboard's place is kept
      });
    });
    document.querySelectorAll("button.show").forEach(function (b) {
      var i = Number(b.getAttribute("data-index"));
      b.addEventListener("click", function () { showStep(i); });
    });
    select.addEventListener("change", function () { load(Number(select.value)); });
    document.getElementById("next").addEventListener("click", function () {
      load((current + 1) % data.variants.length);
    });
    document.getElementById("reset").addEventListener("click", function () {
      store.set(key(model.variant.id), null);
      load(current);
    });
    document.getElementById("download-claims").addEventListener("click", function () {
      download(data.file + "-variant-" + model.variant.id + ".claims", document.getElementById("claims").value,
               "text/plain");
    });
    document.getElementById("download-spec").addEventListener("click", function () {
      download(data.file + "-variant-" + model.variant.id + ".toml", model.variant.spec, "application/toml");
    });

    typeset(document.body);
    var start = store.get(key("current"));
    var found = data.variants.findIndex(function (v) { return v.id === start; });
    load(found >= 0 ? found : 0);
    document.documentElement.setAttribute("data-katex", "done");
    document.documentElement.setAttribute("data-ready", "1");
  }

  /* localStorage, or nothing where the browser refuses it (the page still works, without memory). */
  function storage() {
    var ok = false;
    try { ok = !!window.localStorage; } catch (err) { ok = false; }
    return {
      get: function (k) {
        if (!ok) { return null; }
        try { return JSON.parse(window.localStorage.getItem(k) || "null"); } catch (err) { return null; }
      },
      set: function (k, value) {
        if (!ok) { return; }
        try {
          if (value === null) { window.localStorage.removeItem(k); }
          else { window.localStorage.setItem(k, JSON.stringify(value)); }
        } catch (err) { /* full or refused: the answers stay on the page */ }
      }
    };
  }

  return {sigmoid: sigmoid, relu: relu, step: step, parseNumber: parseNumber, agreesExact: agreesExact,
          agreesNear: agreesNear, shown: shown, typo: typo, judge: judge, page: page};
})();

if (typeof module !== "undefined" && module.exports) {
  module.exports = DerivePractice;
} else if (typeof document !== "undefined") {
  DerivePractice.page();
}
