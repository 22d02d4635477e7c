/// A value type's fields in one shared box. Values that are copied far more often than they are
/// written (a policy at every evaluation, an entity at every lookup) then retain one reference per
/// copy instead of each of their strings and collections. A write copies the box first unless this
/// value holds its only reference (copy on write), so the owners still behave as values.
struct Shared<Fields: Hashable & Sendable>: Hashable, Sendable {
    /// Written only through ``Shared/update(_:)``, after making the reference unique, so no two
    /// values ever see one box change.
    private final class Box: @unchecked Sendable {
        var fields: Fields

        init(_ fields: Fields) { self.fields = fields }
    }

    private var box: Box

    init(_ fields: Fields) { box = Box(fields) }

    var fields: Fields { box.fields }

    mutating func update(_ change: (inout Fields) -> Void) {
        if !isKnownUniquelyReferenced(&box) { box = Box(box.fields) }
        change(&box.fields)
    }

    static func == (lhs: Shared, rhs: Shared) -> Bool { lhs.box === rhs.box || lhs.box.fields == rhs.box.fields }

    func hash(into hasher: inout Hasher) { hasher.combine(box.fields) }
}
