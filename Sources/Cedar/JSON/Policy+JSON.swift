extension Policy {
    /// The policy in Cedar's JSON policy format (EST); the id is not part of it.
    public var json: JSONValue {
        func reference(_ ref: EntityReference) -> (String, JSONValue) {
            switch ref {
            case .entity(let uid): ("entity", uid.json)
            case .slot(let slot): ("slot", .string(slot.rawValue))
            }
        }
        func scope(_ constraint: ScopeConstraint) -> JSONValue {
            switch constraint {
            case .any: return .object(["op": "All"])
            case .equal(let ref):
                let (k, v) = reference(ref)
                return .object(["op": "==", k: v])
            case .in(let ref):
                let (k, v) = reference(ref)
                return .object(["op": "in", k: v])
            case .is(let type): return .object(["op": "is", "entity_type": .string(type.name)])
            case .isIn(let type, let ref):
                let (k, v) = reference(ref)
                return .object(["op": "is", "entity_type": .string(type.name), "in": .object([k: v])])
            }
        }
        let actionJSON: JSONValue =
            switch action {
            case .any: .object(["op": "All"])
            case .equal(let uid): .object(["op": "==", "entity": uid.json])
            case .in(let uid): .object(["op": "in", "entity": uid.json])
            // Like Cedar, a one-element list is written as a single entity.
            case .inSet(let uids) where uids.count == 1: .object(["op": "in", "entity": uids[0].json])
            case .inSet(let uids): .object(["op": "in", "entities": .array(uids.map(\.json))])
            }
        var fields: [String: JSONValue] = [
            "effect": .string(effect.rawValue), "principal": scope(principal), "action": actionJSON,
            "resource": scope(resource),
            "conditions": .array(conditions.map { .object(["kind": .string($0.kind.rawValue), "body": $0.body.json]) }),
        ]
        if !annotations.isEmpty {
            var notes: [String: JSONValue] = [:]
            for annotation in annotations { notes[annotation.name] = .string(annotation.value) }
            fields["annotations"] = .object(notes)
        }
        return .object(fields)
    }

    /// Reads a policy in Cedar's JSON policy format (EST).
    public init(json: JSONValue, id: String) throws(CedarError) {
        guard case .object = json else { throw .json("a policy must be a JSON object") }
        guard let effectText = json["effect"]?.stringValue, let effect = Effect(rawValue: effectText) else {
            throw .json("policy `\(id)` needs an `effect` of permit or forbid")
        }
        func reference(_ body: JSONValue, slot: Slot) throws(CedarError) -> EntityReference {
            if let entity = body["entity"] { return .entity(try EntityUID(json: entity)) }
            if let name = body["slot"]?.stringValue {
                guard name == slot.rawValue else { throw .json("expected slot \(slot.rawValue), found \(name)") }
                return .slot(slot)
            }
            throw .json("a scope constraint needs an `entity` or a `slot`")
        }
        func scope(_ key: String, slot: Slot) throws(CedarError) -> ScopeConstraint {
            guard let body = json[key], let op = body["op"]?.stringValue else {
                throw .json("policy `\(id)` needs a `\(key)` constraint with an `op`")
            }
            switch op {
            case "All": return .any
            case "==": return .equal(try reference(body, slot: slot))
            case "in": return .in(try reference(body, slot: slot))
            case "is":
                guard let type = body["entity_type"]?.stringValue else { throw .json("`is` needs an `entity_type`") }
                if let container = body["in"] { return .isIn(EntityType(type), try reference(container, slot: slot)) }
                return .is(EntityType(type))
            default: throw .json("unknown \(key) constraint `\(op)`")
            }
        }
        let action: ActionConstraint
        guard let actionBody = json["action"], let op = actionBody["op"]?.stringValue else {
            throw .json("policy `\(id)` needs an `action` constraint with an `op`")
        }
        switch op {
        case "All": action = .any
        case "==":
            guard let entity = actionBody["entity"] else { throw .json("action `==` needs an `entity`") }
            action = .equal(try EntityUID(json: entity))
        case "in":
            if case .array(let items)? = actionBody["entities"] {
                var uids: [EntityUID] = []
                for item in items { uids.append(try EntityUID(json: item)) }
                action = .inSet(uids)
            } else if let entity = actionBody["entity"] {
                action = .in(try EntityUID(json: entity))
            } else {
                throw .json("action `in` needs an `entity` or `entities`")
            }
        default: throw .json("unknown action constraint `\(op)`")
        }
        var conditions: [Condition] = []
        if case .array(let items)? = json["conditions"] {
            for item in items {
                guard let kindText = item["kind"]?.stringValue, let kind = Condition.Kind(rawValue: kindText),
                    let body = item["body"]
                else { throw .json("a condition needs a `kind` (when/unless) and a `body`") }
                conditions.append(Condition(kind: kind, body: try Expr(json: body)))
            }
        }
        var annotations: [Annotation] = []
        if case .object(let notes)? = json["annotations"] {
            for (name, value) in notes.sorted(by: { $0.key < $1.key }) {
                annotations.append(Annotation(name: name, value: value.stringValue ?? ""))
            }
        }
        self.init(
            id: id, effect: effect, principal: try scope("principal", slot: .principal), action: action,
            resource: try scope("resource", slot: .resource), conditions: conditions, annotations: annotations)
        for slot in slots where slot == .principal ? resource.slot == .principal : principal.slot == .resource {
            throw .json("slot \(slot.rawValue) used in the wrong place")
        }
    }
}

extension PolicySet {
    /// The policy set in Cedar's JSON format: `{"staticPolicies": {id: policy}, "templates": {…},
    /// "templateLinks": [{"templateId", "newId", "values"}]}`.
    public var json: JSONValue {
        var statics: [String: JSONValue] = [:]
        var links: [JSONValue] = []
        for policy in policies {
            if let templateID = policy.templateID, let template = self.policy(id: templateID) {
                var values: [String: JSONValue] = [:]
                for (slot, constraint) in [(Slot.principal, policy.principal), (.resource, policy.resource)]
                where template.slots.contains(slot) {
                    if let uid = constraint.entity { values[slot.rawValue] = uid.json }
                }
                links.append(
                    .object(["templateId": .string(templateID), "newId": .string(policy.id), "values": .object(values)]))
            } else {
                statics[policy.id] = policy.json
            }
        }
        var templateJSON: [String: JSONValue] = [:]
        for template in templates { templateJSON[template.id] = template.json }
        return .object(["staticPolicies": .object(statics), "templates": .object(templateJSON), "templateLinks": .array(links)])
    }

    /// Reads a policy set in Cedar's JSON format.
    public init(json: JSONValue) throws(CedarError) {
        guard case .object = json else { throw .json("a policy set must be a JSON object") }
        self.init()
        for key in ["templates", "staticPolicies"] {
            guard case .object(let items)? = json[key] ?? .object([:]) else { throw .json("`\(key)` must be an object") }
            for (id, body) in items.sorted(by: { $0.key < $1.key }) {
                let policy = try Policy(json: body, id: id)
                if key == "staticPolicies" && policy.isTemplate {
                    throw .json("static policy `\(id)` has slots; put it under `templates`")
                }
                try add(policy)
            }
        }
        if case .array(let links)? = json["templateLinks"] {
            for entry in links {
                guard let templateID = entry["templateId"]?.stringValue, let newID = entry["newId"]?.stringValue,
                    case .object(let values)? = entry["values"]
                else { throw .json("a template link needs `templateId`, `newId` and `values`") }
                var slots: [Slot: EntityUID] = [:]
                for (name, value) in values {
                    guard let slot = Slot(rawValue: name) else { throw .json("unknown slot `\(name)`") }
                    slots[slot] = try EntityUID(json: value)
                }
                try link(template: templateID, as: newID, values: slots)
            }
        }
    }
}

extension ScopeConstraint {
    var entity: EntityUID? {
        switch self {
        case .equal(.entity(let uid)), .in(.entity(let uid)), .isIn(_, .entity(let uid)): uid
        default: nil
        }
    }
}
