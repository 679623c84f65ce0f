/// What a user or API key may do. Roles nest: each has the permissions of the ones below it.
public enum Role: String, Sendable, Codable, CaseIterable {
    /// Everything, including the tenant's users and keys.
    case owner
    /// Everything but ownership.
    case admin
    /// Policies, templates, settings; approves drafts.
    case manager
    /// Works cases: messages debtors, resolves inbox items, takes cases over.
    case collector
    /// Reads only.
    case viewer

    /// Whether the role may do what `permission` covers.
    public func allows(_ permission: Permission) -> Bool {
        switch self {
        case .owner, .admin: return true
        case .manager: return permission != .administer
        case .collector: return permission == .read || permission == .work
        case .viewer: return permission == .read
        }
    }

    /// Whether this role may do everything `other` may (a key is never more than its maker).
    public func covers(_ other: Role) -> Bool {
        (other != .owner || self == .owner) && Permission.allCases.allSatisfy { !other.allows($0) || allows($0) }
    }

    /// Whether someone with this role may grant `role` to a user or key, or change or remove one
    /// who has it: only an owner touches the owner role.
    public func mayGrant(_ role: Role?) -> Bool { role != .owner || self == .owner }
}

/// Kinds of action, from reading to administering the tenant.
public enum Permission: String, Sendable, CaseIterable {
    /// Read cases, messages, the inbox.
    case read
    /// Act on cases: send and receive messages, resolve inbox items, take over and hand back.
    case work
    /// Approve drafts; change policies, templates, settings.
    case manage
    /// Users and API keys.
    case administer
}
