import Cedar
import CustosAudit
import CustosCore
import CustosIdentity
import Foundation
import Hummingbird

/// `/v1/keys` (admin): the JWT signing keys, and their rotation. A rotation writes a new key (0600)
/// that signs from now on; the previous key keeps verifying for the longest credential lifetime (24 h)
/// and a minute, so nothing already issued stops working, and is then dropped.
struct KeyRoutes {
    let plane: ControlPlane

    struct KeyState: ResponseEncodable {
        struct Previous: Codable {
            var kid: String
            var retireAfter: Date

            enum CodingKeys: String, CodingKey {
                case kid
                case retireAfter = "retire_after"
            }
        }

        var current: String
        var previous: [Previous]
        var sequence: Int64
    }

    var state: KeyState {
        KeyState(
            current: plane.keyRing.current.keyID,
            previous: plane.keyRing.previous.map { KeyState.Previous(kid: $0.key.keyID, retireAfter: $0.retireAfter) },
            sequence: plane.keyRing.sequence)
    }

    func register(on group: RouterGroup<CustosRequestContext>) {
        group.get { _, _ -> KeyState in state }
        group.post("rotate") { _, _ -> KeyState in
            let now = Date()
            let previous = plane.keyRing.current.keyID
            let key = try plane.keyStore.create(now: now)
            plane.keyRing.rotate(to: key, now: now)
            try await plane.audit.recordEvent(
                "signing_key.rotated", details: ["kid": .string(key.keyID), "previous_kid": .string(previous)])
            return state
        }
    }
}
