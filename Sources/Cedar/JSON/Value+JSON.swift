extension EntityUID {
    /// Reads `{"type": …, "id": …}` or the escaped form `{"__entity": {"type": …, "id": …}}`.
    public init(json: JSONValue) throws(CedarError) {
        var body = json
        if let inner = json["__entity"] { body = inner }
        guard case .object(let fields) = body, case .string(let type)? = fields["type"],
            case .string(let id)? = fields["id"]
        else { throw .json("expected an entity uid `{\"type\": …, \"id\": …}`, found \(json.kindName)") }
        self.init(type: EntityType(type), id: id)
    }

    /// `{"type": …, "id": …}`.
    public var json: JSONValue { .object(["type": .string(type.name), "id": .string(id)]) }
}

extension Value {
    /// Reads a value in Cedar's JSON form. With an expected schema type, escapes may be implicit
    /// (a string becomes an `ip`/`decimal`/… value, `{"type", "id"}` an entity) and the type is checked.
    public init(json: JSONValue, expected: SchemaType? = nil) throws(CedarError) {
        self = try ValueReader.read(json, expected: expected, path: "value")
    }

    /// The value in Cedar's JSON form, with `__entity` and `__extn` escapes.
    public var json: JSONValue {
        switch self {
        case .bool(let b): return .bool(b)
        case .long(let n): return .integer(n)
        case .string(let s): return .string(s)
        case .entity(let uid): return .object(["__entity": uid.json])
        case .set(let elements): return .array(elements.sorted { $0.description < $1.description }.map(\.json))
        case .record(let fields): return .object(fields.mapValues(\.json))
        case .decimal(let d): return Self.extensionJSON("decimal", d.description)
        case .ipaddr(let ip): return Self.extensionJSON("ip", ip.description)
        case .datetime(let d): return Self.extensionJSON("datetime", d.description)
        case .duration(let d): return Self.extensionJSON("duration", d.description)
        }
    }

    private static func extensionJSON(_ fn: String, _ arg: String) -> JSONValue {
        .object(["__extn": .object(["fn": .string(fn), "arg": .string(arg)])])
    }
}

/// Conversion from JSON to values, optionally directed by a schema type.
enum ValueReader {
    static func read(_ json: JSONValue, expected: SchemaType?, path: String) throws(CedarError) -> Value {
        guard let expected else { return try untyped(json, path: path) }
        func mismatch() -> CedarError {
            .json("\(path): expected \(expected), found \(json.kindName)")
        }
        switch expected {
        case .bool:
            guard case .bool(let b) = json else { throw mismatch() }
            return .bool(b)
        case .long:
            guard case .integer(let n) = json else { throw mismatch() }
            return .long(n)
        case .string:
            guard case .string(let s) = json else { throw mismatch() }
            return .string(s)
        case .entity(let type):
            guard case .object = json else { throw mismatch() }
            let uid = try EntityUID(json: json)
            guard uid.type == type else { throw .json("\(path): expected an entity of type `\(type)`, found `\(uid)`") }
            return .entity(uid)
        case .set(let element):
            guard case .array(let items) = json else { throw mismatch() }
            var values = Set<Value>(minimumCapacity: items.count)
            for (index, item) in items.enumerated() {
                values.insert(try read(item, expected: element, path: "\(path)[\(index)]"))
            }
            return .set(values)
        case .record(let record):
            guard case .object(let fields) = json else { throw mismatch() }
            return .record(try self.record(fields, type: record, path: path))
        case .extension(let ext):
            if case .string(let arg) = json {
                return try ExtensionCall.apply(ext.constructor, [.string(arg)])
            }
            let value = try untyped(json, path: path)
            guard value.extensionType == ext else { throw mismatch() }
            return value
        }
    }

    static func record(_ fields: [String: JSONValue], type: RecordType, path: String) throws(CedarError)
        -> [String: Value]
    {
        var values: [String: Value] = [:]
        values.reserveCapacity(fields.count)
        for (key, field) in fields {
            if let attribute = type.attributes.exact(key) {
                values[key] = try read(field, expected: attribute.type, path: "\(path).\(key)")
            } else if type.additionalAttributes {
                values[key] = try untyped(field, path: "\(path).\(key)")
            } else {
                throw .json("\(path): attribute `\(key)` is not declared in the schema")
            }
        }
        for (key, attribute) in type.attributes where attribute.isRequired && fields.exact(key) == nil {
            throw .json("\(path): required attribute `\(key)` is missing")
        }
        return values
    }

    static func untyped(_ json: JSONValue, path: String) throws(CedarError) -> Value {
        do {
            return try convert(json)
        } catch {
            throw .json("\(path)\(error.components.reversed().joined()): \(error.message)")
        }
    }

    /// A failed conversion and where, innermost component first; the path text is only built on failure,
    /// so converting a well-formed document allocates nothing for it.
    private struct Failure: Error {
        var components: [String] = []
        var message: String
    }

    private static func convert(_ json: JSONValue) throws(Failure) -> Value {
        switch json {
        case .null: throw Failure(message: "null is not a Cedar value")
        case .double: throw Failure(message: "Cedar numbers are 64-bit integers; found a fraction or exponent")
        case .bool(let b): return .bool(b)
        case .integer(let n): return .long(n)
        case .string(let s): return .string(s)
        case .array(let items):
            var values = Set<Value>(minimumCapacity: items.count)
            for (index, item) in items.enumerated() {
                do {
                    values.insert(try convert(item))
                } catch {
                    var failure = error
                    failure.components.append("[\(index)]")
                    throw failure
                }
            }
            return .set(values)
        case .object(let fields):
            do throws(CedarError) {
                if fields.count == 1, let inner = fields["__entity"] {
                    return .entity(try EntityUID(json: inner))
                }
                if fields.count == 1, let inner = fields["__extn"] {
                    return try extensionValue(inner, path: "")
                }
            } catch {
                throw Failure(message: error.message.hasPrefix(": ") ? String(error.message.dropFirst(2)) : error.message)
            }
            if fields["__expr"] != nil { throw Failure(message: "`__expr` escapes are not supported") }
            var values: [String: Value] = [:]
            values.reserveCapacity(fields.count)
            for (key, field) in fields {
                do {
                    values[key] = try convert(field)
                } catch {
                    var failure = error
                    failure.components.append(".\(key)")
                    throw failure
                }
            }
            return .record(values)
        }
    }

    /// `{"fn": "ip", "arg": "…"}` or `{"fn": …, "args": […]}`.
    private static func extensionValue(_ json: JSONValue, path: String) throws(CedarError) -> Value {
        guard case .string(let name)? = json["fn"] else { throw .json("\(path): `__extn` needs a string `fn`") }
        guard let function = ExtensionFunction(rawValue: name) else {
            throw .json("\(path): unknown extension function `\(name)`")
        }
        var args: [Value] = []
        if let arg = json["arg"] {
            args = [try untyped(arg, path: path)]
        } else if case .array(let items)? = json["args"] {
            for item in items { args.append(try untyped(item, path: path)) }
        }
        do {
            return try ExtensionCall.apply(function, args)
        } catch {
            throw .json("\(path): \(error.message)")
        }
    }
}

extension Value {
    var extensionType: ExtensionType? {
        switch self {
        case .decimal: .decimal
        case .ipaddr: .ipaddr
        case .datetime: .datetime
        case .duration: .duration
        default: nil
        }
    }
}
