#!/usr/bin/env python3
"""Generates reproducible Cedar benchmark workloads: policies (Cedar's JSON policy format, with templates
and links), entities and requests (JSON lines), for `custos policy bench` and `peer_cedarpy.py`.

    python3 Benchmarks/cedar/workload.py --out /tmp/w-small --policies 10 --entities 100
    python3 Benchmarks/cedar/workload.py --out /tmp/w-1k-linked --policies 1000 --entities 1000 --style linked
"""
import argparse
import json
import os
import random

import cedarpy

BASE_POLICIES = [
    'permit (principal in Group::"admins", action, resource);',
    'permit (principal, action == Action::"read", resource) when { resource.public };',
    'permit (principal, action in [Action::"read", Action::"write"], resource) when { resource.owner == principal };',
    'permit (principal in Group::"g1", action == Action::"read", resource in Folder::"f1")\n'
    '  when { context.hour >= 9 && context.hour < 17 };',
    'forbid (principal, action, resource) unless { context.authenticated };',
    'forbid (principal, action == Action::"delete", resource) when { resource.classification == "restricted" };',
    'permit (principal, action == Action::"share", resource)\n'
    '  when { principal.level >= 5 && resource has owner && resource.owner.department == principal.department };',
    'permit (principal is User, action == Action::"read", resource is Doc)\n'
    '  when { principal.department == "eng" && resource.classification like "internal*" };',
    'forbid (principal, action, resource) when { !principal.active };',
    'permit (principal in Group::"g2", action == Action::"read", resource in Folder::"f2")\n'
    '  when { context.ip.isInRange(ip("10.0.0.0/8")) };',
]

TEMPLATE = 'permit (principal == ?principal, action in [Action::"read", Action::"write"], resource in ?resource);'

DEPARTMENTS = ["eng", "sales", "ops", "legal", "finance"]
CLASSIFICATIONS = ["public", "internal", "internal-hr", "confidential", "restricted"]
ACTIONS = ["read", "write", "delete", "share"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--policies", type=int, default=10, help="total number of policies (at least 10)")
    parser.add_argument("--entities", type=int, default=100)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--style", choices=["freeform", "linked"], default="freeform",
                        help="what the policies beyond the first 10 are: template links or free-form policies")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)

    groups = max(3, args.entities // 50)
    folders = max(3, args.entities // 20)
    users = max(5, (args.entities - groups - folders) * 2 // 5)
    docs = max(5, args.entities - groups - folders - users)
    uid = lambda t, i: {"type": t, "id": i}
    entities = []
    group_ids = ["admins"] + [f"g{i}" for i in range(1, groups)]
    for g in group_ids:
        entities.append({"uid": uid("Group", g), "attrs": {}, "parents": []})
    folder_ids = [f"f{i}" for i in range(folders)]
    for index, f in enumerate(folder_ids):
        parents = [uid("Folder", folder_ids[rng.randrange(index)])] if index > 3 and rng.random() < 0.7 else []
        entities.append({"uid": uid("Folder", f), "attrs": {}, "parents": parents})
    user_ids = [f"u{i}" for i in range(users)]
    for u in user_ids:
        member = rng.sample(group_ids[1:], min(len(group_ids) - 1, rng.randint(1, 3)))
        if rng.random() < 0.02:
            member.append("admins")
        entities.append({"uid": uid("User", u), "parents": [uid("Group", g) for g in member],
                         "attrs": {"department": rng.choice(DEPARTMENTS), "level": rng.randint(1, 9),
                                   "active": rng.random() < 0.95}})
    doc_ids = [f"d{i}" for i in range(docs)]
    for d in doc_ids:
        entities.append({"uid": uid("Doc", d), "parents": [uid("Folder", rng.choice(folder_ids))],
                         "attrs": {"owner": {"__entity": uid("User", rng.choice(user_ids))},
                                   "classification": rng.choice(CLASSIFICATIONS), "public": rng.random() < 0.2}})

    static = {f"policy{i}": text for i, text in enumerate(BASE_POLICIES)}
    links = []
    templates = {}
    extra = max(0, args.policies - len(BASE_POLICIES))
    if args.style == "linked" and extra:
        templates["grant"] = TEMPLATE
        for i in range(extra):
            links.append({"templateId": "grant", "newId": f"grant{i}",
                          "values": {"?principal": uid("User", rng.choice(user_ids)),
                                     "?resource": uid("Folder", rng.choice(folder_ids))}})
    else:
        for i in range(extra):
            kind = i % 4
            u, d, f, g = rng.choice(user_ids), rng.choice(doc_ids), rng.choice(folder_ids), rng.choice(group_ids[1:])
            a = rng.choice(ACTIONS)
            if kind == 0:
                text = f'permit (principal == User::"{u}", action == Action::"{a}", resource == Doc::"{d}");'
            elif kind == 1:
                text = (f'permit (principal in Group::"{g}", action == Action::"{a}", resource in Folder::"{f}")\n'
                        f'  when {{ context.hour >= {rng.randint(0, 12)} && principal.level > {rng.randint(1, 6)} }};')
            elif kind == 2:
                text = (f'forbid (principal == User::"{u}", action, resource in Folder::"{f}")\n'
                        f'  unless {{ context.authenticated && context.hour < {rng.randint(12, 24)} }};')
            else:
                text = (f'permit (principal, action == Action::"{a}", resource == Doc::"{d}")\n'
                        f'  when {{ principal.department == "{rng.choice(DEPARTMENTS)}" }};')
            static[f"extra{i}"] = text

    requests = []
    for _ in range(args.requests):
        requests.append({
            "principal": uid("User", rng.choice(user_ids)), "action": uid("Action", rng.choice(ACTIONS)),
            "resource": uid("Doc", rng.choice(doc_ids)) if rng.random() < 0.9 else uid("Folder", rng.choice(folder_ids)),
            "context": {"authenticated": rng.random() < 0.9, "hour": rng.randint(0, 23),
                        "ip": {"__extn": {"fn": "ip", "arg": rng.choice(["10.1.2.3", "192.168.0.7", "10.200.0.1"])}}}})

    # Both engines read the same file: Cedar's JSON policy format, converted from the text by cedarpy (the
    # peer) so that nothing of ours decides what it reads. Policy ids are positional: policy0, policy1, ...
    text = "\n\n".join(list(static.values()) + list(templates.values())) + "\n"
    with open(os.path.join(args.out, "policies.cedar"), "w") as f:
        f.write(text)
    est = json.loads(cedarpy.policies_to_json_str(text))
    template_id = f"policy{len(static)}"
    est["templateLinks"] = [dict(link, templateId=template_id) for link in links]
    with open(os.path.join(args.out, "policies.json"), "w") as f:
        json.dump(est, f)
    with open(os.path.join(args.out, "entities.json"), "w") as f:
        json.dump(entities, f)
    with open(os.path.join(args.out, "requests.jsonl"), "w") as f:
        for r in requests:
            f.write(json.dumps(r) + "\n")
    print(f"{args.out}: {len(static)} static policies, {len(links)} links, {len(entities)} entities, {len(requests)} requests")


if __name__ == "__main__":
    main()
