/// Applies extension functions and methods to evaluated arguments.
enum ExtensionCall {
    static func apply(_ function: ExtensionFunction, _ args: [Value]) throws(CedarError) -> Value {
        guard args.count == function.arity else {
            throw .evaluation("`\(function.rawValue)` takes \(function.arity) argument(s), got \(args.count)")
        }
        switch function {
        case .ip:
            let text = try string(args[0], function)
            guard let ip = IPAddr(parsing: text) else { throw .evaluation("invalid IP address `\(text)`") }
            return .ipaddr(ip)
        case .decimal:
            let text = try string(args[0], function)
            guard let d = CedarDecimal(parsing: text) else { throw .evaluation("invalid decimal `\(text)`") }
            return .decimal(d)
        case .datetime:
            let text = try string(args[0], function)
            guard let d = CedarDatetime(parsing: text) else { throw .evaluation("invalid datetime `\(text)`") }
            return .datetime(d)
        case .duration:
            let text = try string(args[0], function)
            guard let d = CedarDuration(parsing: text) else { throw .evaluation("invalid duration `\(text)`") }
            return .duration(d)
        case .lessThan, .lessThanOrEqual, .greaterThan, .greaterThanOrEqual:
            let a = try decimal(args[0], function)
            let b = try decimal(args[1], function)
            let result =
                switch function {
                case .lessThan: a < b
                case .lessThanOrEqual: a <= b
                case .greaterThan: a > b
                default: a >= b
                }
            return .bool(result)
        case .isIpv4: return .bool(try ip(args[0], function).isV4)
        case .isIpv6: return .bool(!(try ip(args[0], function).isV4))
        case .isLoopback: return .bool(try ip(args[0], function).isLoopback)
        case .isMulticast: return .bool(try ip(args[0], function).isMulticast)
        case .isInRange: return .bool(try ip(args[0], function).isInRange(try ip(args[1], function)))
        case .offset:
            let d = try datetime(args[0], function)
            let delta = try duration(args[1], function)
            let (sum, overflow) = d.millisecondsSinceEpoch.addingReportingOverflow(delta.milliseconds)
            if overflow { throw .evaluation("overflow while offsetting datetime `\(d)` by `\(delta)`") }
            return .datetime(CedarDatetime(millisecondsSinceEpoch: sum))
        case .durationSince:
            let a = try datetime(args[0], function)
            let b = try datetime(args[1], function)
            let (difference, overflow) = a.millisecondsSinceEpoch.subtractingReportingOverflow(b.millisecondsSinceEpoch)
            if overflow { throw .evaluation("overflow while computing the duration between `\(a)` and `\(b)`") }
            return .duration(CedarDuration(milliseconds: difference))
        case .toDate:
            let d = try datetime(args[0], function)
            guard let date = d.date else { throw .evaluation("overflow while computing the date of `\(d)`") }
            return .datetime(date)
        case .toTime: return .duration(try datetime(args[0], function).time)
        case .toMilliseconds: return .long(try duration(args[0], function).milliseconds)
        case .toSeconds: return .long(try duration(args[0], function).milliseconds / 1000)
        case .toMinutes: return .long(try duration(args[0], function).milliseconds / 60_000)
        case .toHours: return .long(try duration(args[0], function).milliseconds / 3_600_000)
        case .toDays: return .long(try duration(args[0], function).milliseconds / 86_400_000)
        }
    }

    private static func mismatch(_ function: ExtensionFunction, _ expected: String, _ value: Value) -> CedarError {
        .evaluation("type error: `\(function.rawValue)` expected \(expected), got \(value.typeName)")
    }

    private static func string(_ v: Value, _ f: ExtensionFunction) throws(CedarError) -> String {
        guard case .string(let s) = v else { throw mismatch(f, "string", v) }
        return s
    }

    private static func decimal(_ v: Value, _ f: ExtensionFunction) throws(CedarError) -> CedarDecimal {
        guard case .decimal(let d) = v else { throw mismatch(f, "decimal", v) }
        return d
    }

    private static func ip(_ v: Value, _ f: ExtensionFunction) throws(CedarError) -> IPAddr {
        guard case .ipaddr(let ip) = v else { throw mismatch(f, "ipaddr", v) }
        return ip
    }

    private static func datetime(_ v: Value, _ f: ExtensionFunction) throws(CedarError) -> CedarDatetime {
        guard case .datetime(let d) = v else { throw mismatch(f, "datetime", v) }
        return d
    }

    private static func duration(_ v: Value, _ f: ExtensionFunction) throws(CedarError) -> CedarDuration {
        guard case .duration(let d) = v else { throw mismatch(f, "duration", v) }
        return d
    }
}
