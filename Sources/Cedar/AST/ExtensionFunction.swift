/// The extension functions and methods Cedar defines, with their arity.
public enum ExtensionFunction: String, Hashable, Sendable, CaseIterable {
    // Constructors, called as functions.
    case ip
    case decimal
    case datetime
    case duration
    // decimal
    case lessThan, lessThanOrEqual, greaterThan, greaterThanOrEqual
    // ipaddr
    case isIpv4, isIpv6, isLoopback, isMulticast, isInRange
    // datetime
    case offset, durationSince, toDate, toTime
    // duration
    case toMilliseconds, toSeconds, toMinutes, toHours, toDays

    /// True for the constructors written `name("…")`; false for methods written `x.name(…)`.
    public var isConstructor: Bool {
        switch self {
        case .ip, .decimal, .datetime, .duration: true
        default: false
        }
    }

    /// Number of arguments, counting a method's receiver.
    public var arity: Int {
        switch self {
        case .ip, .decimal, .datetime, .duration: 1
        case .isIpv4, .isIpv6, .isLoopback, .isMulticast, .toDate, .toTime: 1
        case .toMilliseconds, .toSeconds, .toMinutes, .toHours, .toDays: 1
        case .lessThan, .lessThanOrEqual, .greaterThan, .greaterThanOrEqual: 2
        case .isInRange, .offset, .durationSince: 2
        }
    }
}
