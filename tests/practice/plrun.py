"""Run a PrairieLearn question's server.py as PrairieLearn does, with the standard library alone (`python -I
-S`: no site-packages, so no derive): read {"server": path, "calls": [{"fn", "data", "seed"}]} as JSON on
standard input, call each function on its data dict (seeding `random` with the variant seed first, as
PrairieLearn's zygote does), and print the data dicts."""

import json
import random
import sys

request = json.load(sys.stdin)
with open(request["server"], encoding="utf-8") as f:
    code = compile(f.read(), request["server"], "exec")
module: dict = {}
exec(code, module)
out = []
for call in request["calls"]:
    data = call["data"]
    random.seed(data.get("variant_seed"))
    module[call["fn"]](data)
    out.append(data)
json.dump(out, sys.stdout)
