#!/usr/bin/env python3
"""Differential testing of the Swift Cedar engine against the Rust engine (through cedarpy).

Generates random schemas-conforming entity stores, random policies (well-typed and ill-typed, over
every operator and extension type) and random requests; asks cedarpy (cedar-policy 4.12) for the
decision, the determining policies, the erroring policies and the validation verdict; writes every
case in Cedar's integration-test format; then runs `custos policy test` on them, which reports every
disagreement with its file and request.

    python3 Scripts/cedar_differential.py --cases 500 --seed 1 --custos .build/debug/custos

Exit status: 0 when every request agrees, 1 otherwise.
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

import cedarpy

SCHEMA = """
entity Org;
entity Team in [Org] = { name: String, budget: Long };
entity User in [Team, Org] = {
    name: String,
    age: Long,
    active: Bool,
    labels: Set<String>,
    manager?: User,
    address: { city: String, zip?: String },
    ip: ipaddr,
    score: decimal,
    joined: datetime,
    shift: duration,
} tags String;
entity Folder in [Folder] = { owner: User, depth: Long };
entity Doc in [Folder] = { owner: User, level: Long, labels: Set<String>, public: Bool, title?: String };
action read, write appliesTo {
    principal: [User],
    resource: [Doc, Folder],
    context: { n: Long, s: String, flag: Bool, ip: ipaddr, at: datetime, set: Set<Long>, opt?: Long }
};
action edit in [write] appliesTo {
    principal: [User],
    resource: [Doc],
    context: { n: Long, s: String, flag: Bool, ip: ipaddr, at: datetime, set: Set<Long>, opt?: Long }
};
action manage appliesTo {
    principal: [User],
    resource: [Team, Org],
    context: { n: Long, s: String, flag: Bool, ip: ipaddr, at: datetime, set: Set<Long>, opt?: Long }
};
"""

ACTIONS = ["read", "write", "edit", "manage"]
STRINGS = ["", "a", "abc", "alice", "Bob", "x*y", "a\\nb", "ümlaut", "HardwareEngineering", "a b", "\u00e9", "e\u0301"]
DECIMALS = ["0.0", "1.5", "-0.0001", "12.3456", "922337203685477.5807", "-922337203685477.5808", "1.23456", "1.", "abc"]
IPS = ["10.0.0.1", "192.168.1.7", "192.168.0.0/16", "127.0.0.1", "127.0.0.0/8", "::1", "ff02::1", "224.0.0.1",
       "1:2:3:4:5:6:7:8", "::", "0.0.0.0/0", "10.0.0.0/33", "01.2.3.4", "1::2::3", "::ffff:1.2.3.4", "fe80::/10"]
DATETIMES = ["2024-01-01", "2024-02-29T12:30:00Z", "1969-12-31T23:59:59.999Z", "2024-06-01T08:00:00+0200",
             "2000-01-01T00:00:00-0130", "1970-01-01T00:00:00.000Z", "2024-02-30", "2024-01-01T24:00:00Z",
             "2024-01-01T10:00:60Z", "9999-12-31T23:59:59Z", "0001-01-01"]
DURATIONS = ["1d", "2h30m", "-15m", "1s500ms", "0ms", "1d2h3m4s5ms", "1h1d", "-0s", "106751991167d",
             "9223372036854775807ms", "", "1x"]
LONGS = [0, 1, -1, 2, 7, 42, 9223372036854775807, -9223372036854775808, 4611686018427387904, 3037000500]


class Gen:
    def __init__(self, rng, safe=False):
        self.r = rng
        # In safe mode the generator sticks to expressions that should typecheck against SCHEMA,
        # so that validation verdicts of valid policy sets are compared too.
        self.safe = safe
        self.users = [f"u{i}" for i in range(8)]
        self.teams = [f"t{i}" for i in range(3)]
        self.orgs = ["o0", "o1"]
        self.folders = [f"f{i}" for i in range(3)]
        self.docs = [f"d{i}" for i in range(5)]

    def chance(self, p):
        return self.r.random() < p

    def pick(self, xs):
        return self.r.choice([x for x in xs if x is not None])

    def u(self, option):
        """An option that is only offered outside safe mode (it may not typecheck)."""
        return None if self.safe else option

    # ----- literals and values -----
    def string_lit(self):
        return json.dumps(self.pick(STRINGS), ensure_ascii=False).replace("\\\\n", "\\n")

    def uid(self, typ=None):
        typ = typ or self.pick(["User", "Team", "Org", "Folder", "Doc"])
        pool = {"User": self.users, "Team": self.teams, "Org": self.orgs, "Folder": self.folders, "Doc": self.docs}[typ]
        ident = self.pick(pool) if not self.chance(0.1) else "ghost"
        return f'{typ}::"{ident}"'

    def action_uid(self):
        return f'Action::"{self.pick(ACTIONS)}"'

    # ----- typed expression generation -----
    def expr(self, typ, depth):
        """An expression of Cedar type `typ`; sometimes deliberately of another type."""
        if depth > 0 and not self.safe and self.chance(0.03):
            return self.expr(self.pick(["Long", "String", "Bool", "Set", "Entity"]), depth - 1)
        gen = getattr(self, "e_" + typ)
        return gen(max(depth, 0))

    def e_Bool(self, d):
        options = [
            lambda: self.pick(["true", "false"]),
            lambda: "context.flag",
            lambda: "principal.active",
            self.u(lambda: "resource.public"),
        ]
        if d > 0:
            options += [
                lambda: f"({self.expr('Bool', d-1)} && {self.expr('Bool', d-1)})",
                lambda: f"({self.expr('Bool', d-1)} || {self.expr('Bool', d-1)})",
                lambda: f"!{self.expr('Bool', d-1)}",
                lambda: f"({self.expr('Long', d-1)} {self.pick(['<', '<=', '>', '>=', '==', '!='])} {self.expr('Long', d-1)})",
                self.u(lambda: f"({self.expr(self.pick(['String', 'Long', 'Entity', 'Set', 'Bool']), d-1)} {self.pick(['==', '!='])} {self.expr(self.pick(['String', 'Long', 'Entity', 'Set', 'Bool']), d-1)})"),
                lambda: f"({self.expr('String', d-1)} like {self.pattern()})",
                self.u(lambda: f"({self.expr('Entity', d-1)} in {self.expr('Entity', d-1)})"),
                self.u(lambda: f"({self.expr('Entity', d-1)} in [{', '.join(self.expr('Entity', d-1) for _ in range(self.r.randint(0, 3)))}])"),
                lambda: f"({self.expr('Entity', d-1)} is {self.pick(['User', 'Team', 'Doc', 'Folder', 'Org'])})",
                lambda: f"({self.expr('Entity', d-1)} is {self.pick(['User', 'Team', 'Doc'])} in {self.expr('Entity', d-1)})",
                self.u(lambda: f"({self.has_target()} has {self.pick(['manager', 'name', 'title', 'labels', 'zip', 'city', 'opt', 'n', 'address', 'owner'])})"),
                lambda: "(principal has address.zip)",
                self.u(lambda: "(principal has manager.address.city)"),
                lambda: f"(if {self.expr('Bool', d-1)} then {self.expr('Bool', d-1)} else {self.expr('Bool', d-1)})",
                self.u(lambda: f"{self.expr('Set', d-1)}.contains({self.expr(self.pick(['Long', 'String']), d-1)})"),
                self.u(lambda: f"{self.expr('Set', d-1)}.{self.pick(['containsAll', 'containsAny'])}({self.expr('Set', d-1)})"),
                lambda: f"{self.expr('Set', d-1)}.isEmpty()",
                lambda: f"principal.hasTag({self.expr('String', d-1)})",
                self.u(lambda: f"{self.expr('Entity', d-1)}.hasTag({self.string_lit()})"),
                lambda: f"{self.decimal_expr(d-1)}.{self.pick(['lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual'])}({self.decimal_expr(d-1)})",
                lambda: f"{self.ip_expr(d-1)}.{self.pick(['isIpv4', 'isIpv6', 'isLoopback', 'isMulticast'])}()",
                lambda: f"{self.ip_expr(d-1)}.isInRange({self.ip_expr(d-1)})",
                lambda: f"({self.datetime_expr(d-1)} {self.pick(['<', '<=', '>', '>=', '=='])} {self.datetime_expr(d-1)})",
                lambda: f"({self.duration_expr(d-1)} {self.pick(['<', '<=', '>', '>=', '!='])} {self.duration_expr(d-1)})",
                lambda: f"(context has opt && context.opt > {self.expr('Long', d-1)})",
                lambda: f"(principal has manager && principal.manager.age > {self.expr('Long', d-1)})",
                self.u(lambda: f"(resource has title && resource.title like {self.pattern()})"),
            ]
        return self.pick(options)()

    def has_target(self):
        return self.pick(["principal", "resource", "context", "principal.address", "principal.manager", "resource.owner", "{a: 1}"])

    def pattern(self):
        parts = [self.pick(["a", "b", "*", "\\*", "alice", "Hard", "ü", " ", "\\n", "x"]) for _ in range(self.r.randint(0, 4))]
        return '"' + "".join(parts) + '"'

    def e_Long(self, d):
        options = [
            lambda: str(self.pick(LONGS)),
            lambda: "context.n",
            lambda: "principal.age",
            self.u(lambda: "resource.level"),
            lambda: str(self.r.randint(-20, 100)),
        ]
        if d > 0:
            options += [
                lambda: f"({self.expr('Long', d-1)} {self.pick(['+', '-', '*'])} {self.expr('Long', d-1)})",
                lambda: f"-{self.expr('Long', d-1)}",
                lambda: f"(if {self.expr('Bool', d-1)} then {self.expr('Long', d-1)} else {self.expr('Long', d-1)})",
                lambda: f"{self.duration_expr(d-1)}.{self.pick(['toMilliseconds', 'toSeconds', 'toMinutes', 'toHours', 'toDays'])}()",
                self.u(lambda: "principal.manager.age"),
                self.u(lambda: "context.opt"),
                lambda: f"{{a: {self.expr('Long', d-1)}, b: {self.expr('String', d-1)}}}.a",
                lambda: f"{{a: {self.expr('Long', d-1)}}}[\"a\"]",
            ]
        return self.pick(options)()

    def e_String(self, d):
        options = [
            lambda: self.string_lit(),
            lambda: "context.s",
            lambda: "principal.name",
            lambda: "principal.address.city",
        ]
        if d > 0:
            options += [
                self.u(lambda: "principal.address.zip"),
                self.u(lambda: "resource.title"),
                self.u(lambda: "principal.getTag(\"role\")"),
                lambda: f"(if principal.hasTag({self.string_lit()}) then principal.getTag({self.string_lit()}) else {self.string_lit()})",
                lambda: f"(if {self.expr('Bool', d-1)} then {self.expr('String', d-1)} else {self.expr('String', d-1)})",
                lambda: "resource.owner.name",
            ]
        return self.pick(options)()

    def e_Entity(self, d):
        options = [
            lambda: "principal",
            lambda: "resource",
            lambda: "action",
            lambda: self.uid(),
            lambda: self.action_uid(),
        ]
        if d > 0:
            options += [
                lambda: "resource.owner",
                self.u(lambda: "principal.manager"),
                self.u(lambda: f"(if {self.expr('Bool', d-1)} then {self.expr('Entity', d-1)} else {self.expr('Entity', d-1)})"),
            ]
        return self.pick(options)()

    def e_Set(self, d):
        options = [
            lambda: "context.set",
            lambda: "principal.labels",
            self.u(lambda: "resource.labels"),
            self.u(lambda: "[]"),
            lambda: f"[{', '.join(str(self.pick(LONGS[:6])) for _ in range(self.r.randint(1, 4)))}]",
            lambda: f"[{', '.join(self.string_lit() for _ in range(self.r.randint(1, 3)))}]",
        ]
        if d > 0:
            options += [
                self.u(lambda: f"[{', '.join(self.expr(self.pick(['Long', 'String']), d-1) for _ in range(self.r.randint(1, 3)))}]"),
                self.u(lambda: f"[{self.expr('Entity', d-1)}, {self.expr('Entity', d-1)}]"),
                self.u(lambda: f"[{self.expr('Set', d-1)}]"),
            ]
        return self.pick(options)()

    def decimal_expr(self, d):
        literals = DECIMALS[:6] if self.safe else DECIMALS
        return self.pick([f'decimal("{self.pick(literals)}")', "principal.score",
                          self.u(f'decimal({self.expr("String", d)})' if d > 0 else 'decimal("1.0")')])

    def ip_expr(self, d):
        literals = [i for i in IPS if i not in ("10.0.0.0/33", "01.2.3.4", "1::2::3", "::ffff:1.2.3.4")] if self.safe else IPS
        return self.pick([f'ip("{self.pick(literals)}")', "context.ip", "principal.ip"])

    def datetime_expr(self, d):
        base = self.pick([f'datetime("{self.pick(DATETIMES[:6] if self.safe else DATETIMES)}")', "context.at", "principal.joined"])
        if d > 0 and self.chance(0.4):
            return f"{base}.{self.pick(['offset(' + self.duration_expr(d-1) + ')', 'toDate()'])}"
        return base

    def duration_expr(self, d):
        base = self.pick([f'duration("{self.pick(DURATIONS[:6] if self.safe else DURATIONS)}")', "principal.shift"])
        if d > 0 and self.chance(0.3):
            return f"{self.datetime_expr(d-1)}.{self.pick(['durationSince(' + self.datetime_expr(d-1) + ')', 'toTime()'])}"
        return base

    # ----- policies -----
    def scope(self, var, types):
        kind = self.r.randint(0, 5)
        if kind == 0:
            return var
        if kind == 1:
            return f"{var} == {self.uid(self.pick(types))}"
        if kind == 2:
            return f"{var} in {self.uid(self.pick(['Team', 'Org', 'Folder', 'Doc', 'User']))}"
        if kind == 3:
            return f"{var} is {self.pick(types)}"
        if kind == 4:
            return f"{var} is {self.pick(types)} in {self.uid(self.pick(['Team', 'Org', 'Folder']))}"
        return var

    def action_scope(self):
        kind = self.r.randint(0, 3)
        if kind == 0:
            return "action"
        if kind == 1:
            return f"action == {self.action_uid()}"
        if kind == 2:
            return f"action in {self.action_uid()}"
        return f"action in [{', '.join(self.action_uid() for _ in range(self.r.randint(1, 3)))}]"

    def policy(self):
        effect = "forbid" if self.chance(0.3) else "permit"
        head = f"{effect} ({self.scope('principal', ['User'])}, {self.action_scope()}, {self.scope('resource', ['Doc', 'Folder', 'Team'])})"
        conditions = []
        for _ in range(self.r.choice([0, 1, 1, 1, 2])):
            conditions.append(f"{self.pick(['when', 'when', 'unless'])} {{ {self.expr('Bool', self.r.randint(1, 4))} }}")
        annotation = "@note(\"generated\")\n" if self.chance(0.1) else ""
        return annotation + head + "\n" + "\n".join(conditions) + ";"

    # ----- entities and requests -----
    def ext(self, fn, arg):
        return {"__extn": {"fn": fn, "arg": arg}}

    def valid(self, pool, validator):
        while True:
            x = self.pick(pool)
            try:
                if validator(x):
                    return x
            except Exception:
                pass

    def entities(self):
        out = []
        def ref(t, i):
            return {"type": t, "id": i}
        for o in self.orgs:
            out.append({"uid": ref("Org", o), "attrs": {}, "parents": []})
        for t in self.teams:
            out.append({"uid": ref("Team", t), "attrs": {"name": self.pick(STRINGS), "budget": self.pick(LONGS)},
                        "parents": [ref("Org", o) for o in self.orgs if self.chance(0.5)]})
        good_ip = [i for i in IPS if i not in ("10.0.0.0/33", "01.2.3.4", "1::2::3", "::ffff:1.2.3.4")]
        good_dec = DECIMALS[:6]
        good_dt = DATETIMES[:6]
        good_dur = ["1d", "2h30m", "-15m", "1s500ms", "0ms", "1d2h3m4s5ms"]
        for index, u in enumerate(self.users):
            attrs = {
                "name": self.pick(STRINGS), "age": self.r.randint(-5, 120) if self.chance(0.9) else self.pick(LONGS),
                "active": self.chance(0.5), "labels": self.r.sample(STRINGS, self.r.randint(0, 3)),
                "address": {"city": self.pick(STRINGS)},
                "ip": self.ext("ip", self.pick(good_ip)), "score": self.ext("decimal", self.pick(good_dec)),
                "joined": self.ext("datetime", self.pick(good_dt)), "shift": self.ext("duration", self.pick(good_dur)),
            }
            if self.chance(0.5):
                attrs["address"]["zip"] = self.pick(STRINGS)
            if index > 0 and self.chance(0.6):
                attrs["manager"] = {"__entity": ref("User", self.users[self.r.randint(0, index - 1)])}
            tags = {k: self.pick(STRINGS) for k in ["role", "a", "abc"] if self.chance(0.4)}
            parents = [ref("Team", t) for t in self.teams if self.chance(0.4)] + [ref("Org", o) for o in self.orgs if self.chance(0.2)]
            out.append({"uid": ref("User", u), "attrs": attrs, "parents": parents, "tags": tags})
        for index, f in enumerate(self.folders):
            parents = [ref("Folder", self.folders[self.r.randint(0, index - 1)])] if index > 0 and self.chance(0.7) else []
            out.append({"uid": ref("Folder", f), "attrs": {"owner": {"__entity": ref("User", self.pick(self.users))}, "depth": index}, "parents": parents})
        for d in self.docs:
            attrs = {"owner": {"__entity": ref("User", self.pick(self.users))}, "level": self.r.randint(0, 5),
                     "labels": self.r.sample(STRINGS, self.r.randint(0, 3)), "public": self.chance(0.5)}
            if self.chance(0.5):
                attrs["title"] = self.pick(STRINGS)
            out.append({"uid": ref("Doc", d), "attrs": attrs, "parents": [ref("Folder", f) for f in self.folders if self.chance(0.4)]})
        return out

    def request(self):
        action = self.pick(ACTIONS)
        resource_types = {"read": ["Doc", "Folder"], "write": ["Doc", "Folder"], "edit": ["Doc"], "manage": ["Team", "Org"]}[action]
        good_ip = ["10.0.0.1", "127.0.0.1", "::1", "224.0.0.1", "192.168.0.0/16"]
        context = {"n": self.pick(LONGS) if self.chance(0.3) else self.r.randint(-10, 10), "s": self.pick(STRINGS),
                   "flag": self.chance(0.5), "ip": self.ext("ip", self.pick(good_ip)),
                   "at": self.ext("datetime", self.pick(DATETIMES[:6])), "set": [self.r.randint(0, 5) for _ in range(self.r.randint(0, 3))]}
        if self.chance(0.5):
            context["opt"] = self.r.randint(-3, 3)
        def euid(text):
            t, i = text.split("::", 1)
            return {"type": t, "id": json.loads(i)}
        return {"principal": euid(self.uid("User")), "action": {"type": "Action", "id": action},
                "resource": euid(self.uid(self.pick(resource_types))), "context": context}


POLICY_ID = re.compile(r"policy `([^`]*)`")

MUTATIONS = ["", " ", "(", ")", "[", "]", "{", "}", ",", ";", ".", "::", "&&", "||", "!", "-", "==", "in", "is",
             "has", "like", "if", "then", "else", "\"", "\\", "*", "?principal", "@a", "0", "9223372036854775808",
             "principal", "action", "when", "unless", "//", "\n", "ü", "\\u{0}", "\\q"]


def mutate(rng, text):
    """The text with a few random edits, to compare how both parsers accept and reject input."""
    chars = list(text)
    for _ in range(rng.randint(1, 3)):
        position = rng.randint(0, len(chars))
        if rng.random() < 0.5 and position < len(chars):
            del chars[position:position + rng.randint(1, 3)]
        else:
            chars[position:position] = list(rng.choice(MUTATIONS))
    return "".join(chars)


def cedarpy_est(text):
    """cedarpy's JSON form of the policies, or None when it rejects them."""
    try:
        est = json.loads(cedarpy.policies_to_json_str(text))
    except Exception:
        return None
    for group in ("staticPolicies", "templates"):
        for policy in est.get(group, {}).values():
            for key, value in (policy.get("annotations") or {}).items():
                if value is None:  # a bare `@name` has the empty string as its value
                    policy["annotations"][key] = ""
    return {k: est.get(k) for k in ("staticPolicies", "templates", "templateLinks")}


def custos_est(custos, path):
    completed = subprocess.run([custos, "policy", "format", "--json", "--policies", path], capture_output=True, text=True)
    return json.loads(completed.stdout) if completed.returncode == 0 else None


def compare_syntax(custos, folder, base, text, rng):
    """Both engines must accept the same texts and agree on their JSON form (EST); returns problems."""
    problems = []
    for label, candidate in (("generated", text), ("mutated", mutate(rng, text))):
        path = os.path.join(folder, f"{base}.{label}.cedar")
        with open(path, "w") as f:
            f.write(candidate)
        theirs, ours = cedarpy_est(candidate), custos_est(custos, path)
        if (theirs is None) != (ours is None):
            problems.append(f"{path}: cedarpy {'rejects' if theirs is None else 'accepts'} it, custos "
                            f"{'rejects' if ours is None else 'accepts'} it")
        elif theirs != ours:
            problems.append(f"{path}: the JSON policy forms differ")
        else:
            os.remove(path)
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--requests", type=int, default=8, help="requests per case")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--custos", required=True, help="path to the custos executable")
    parser.add_argument("--keep", help="write the cases to this folder and keep them")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    folder = args.keep or tempfile.mkdtemp(prefix="cedar-differential-")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "schema.cedarschema"), "w") as f:
        f.write(SCHEMA)
    schema = cedarpy.Schema.from_str(SCHEMA) if hasattr(cedarpy, "Schema") else SCHEMA
    compared = 0
    valid_sets = 0
    syntax_problems = []
    for case in range(args.cases):
        g = Gen(rng, safe=case % 2 == 0)
        policies = "\n\n".join(g.policy() for _ in range(rng.randint(1, 3 if g.safe else 6)))
        entities = g.entities()
        base = f"case{case:05d}"
        with open(os.path.join(folder, base + ".cedar"), "w") as f:
            f.write(policies)
        syntax_problems += compare_syntax(args.custos, folder, base, policies, rng)
        with open(os.path.join(folder, base + ".entities.json"), "w") as f:
            json.dump(entities, f)
        try:
            validation = cedarpy.validate_policies(policies, SCHEMA)
        except Exception as error:  # a policy cedarpy cannot parse: our parser must reject it too
            sys.stderr.write(f"{base}: cedarpy could not validate: {error}\n")
            continue
        should_validate = bool(validation.validation_passed)
        valid_sets += should_validate
        requests = []
        for index in range(args.requests):
            request = g.request()
            result = cedarpy.is_authorized(request, policies, entities, SCHEMA)
            errors = sorted({m.group(1) for e in result.diagnostics.errors for m in [POLICY_ID.search(e)] if m})
            requests.append(dict(request, description=f"request {index}",
                                 decision="allow" if str(result.decision).endswith("Allow") else "deny",
                                 reason=sorted(result.diagnostics.reasons), errors=errors))
            compared += 1
        test = {"policies": base + ".cedar", "entities": base + ".entities.json", "schema": "schema.cedarschema",
                "shouldValidate": should_validate, "requests": requests}
        with open(os.path.join(folder, base + ".json"), "w") as f:
            json.dump(test, f, indent=1, ensure_ascii=False)
    print(f"generated {args.cases} policy sets ({valid_sets} valid per cedarpy) and {compared} requests in {folder}")
    for problem in syntax_problems:
        print("SYNTAX " + problem)
    print(f"syntax: {2 * args.cases} texts (generated and mutated) parsed by both, {len(syntax_problems)} disagreements")
    sys.stdout.flush()
    completed = subprocess.run([args.custos, "policy", "test", "--root", folder, folder])
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if syntax_problems else completed.returncode


if __name__ == "__main__":
    sys.exit(main())
