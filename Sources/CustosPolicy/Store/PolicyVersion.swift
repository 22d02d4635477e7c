public import Foundation

/// A template-linked policy of a version: template `template` with its slots filled, named `id`.
public struct TemplateLink: Codable, Hashable, Sendable {
    public struct EntityRef: Codable, Hashable, Sendable {
        public var type: String
        public var id: String

        public init(type: String, id: String) {
            self.type = type
            self.id = id
        }
    }

    public var template: String
    public var id: String
    /// `?principal` and/or `?resource` → the entity that fills the slot.
    public var values: [String: EntityRef]

    public init(template: String, id: String, values: [String: EntityRef]) {
        self.template = template
        self.id = id
        self.values = values
    }
}

/// What an author submits: Cedar text and template links.
public struct PolicyDraft: Codable, Hashable, Sendable {
    public var policies: String
    public var links: [TemplateLink]

    public init(policies: String, links: [TemplateLink] = []) {
        self.policies = policies
        self.links = links
    }
}

/// One immutable version of the policy set, with who made it, when and why.
public struct PolicyVersion: Codable, Hashable, Sendable {
    /// 1, 2, 3, … in the order versions were pushed.
    public var version: Int
    public var draft: PolicyDraft
    public var author: String
    public var message: String
    public var createdAt: Date

    public init(version: Int, draft: PolicyDraft, author: String, message: String, createdAt: Date) {
        self.version = version
        self.draft = draft
        self.author = author
        self.message = message
        self.createdAt = createdAt
    }
}

/// A change of the active version: which version became active, by whom, when.
public struct PolicyActivation: Codable, Hashable, Sendable {
    public var version: Int
    public var activatedBy: String
    public var activatedAt: Date
    /// `push`, `activate` or `rollback`.
    public var reason: String

    public init(version: Int, activatedBy: String, activatedAt: Date, reason: String) {
        self.version = version
        self.activatedBy = activatedBy
        self.activatedAt = activatedAt
        self.reason = reason
    }
}
