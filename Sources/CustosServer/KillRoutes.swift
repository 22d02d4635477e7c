import CustosCore
import Foundation
import Hummingbird

extension KillSwitch.Outcome: ResponseEncodable {}

/// `/v1/kill` (admin): the kill switch, and the revocations in force.
struct KillRoutes {
    let killSwitch: KillSwitch
    let repository: any RevocationRepository

    struct KillRequest: Decodable {
        var scope: RevocationScope
        var target: String
        var reason: String?

        enum CodingKeys: String, CodingKey {
            case scope, target, reason
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            scope = try c.decode(RevocationScope.self, forKey: .scope)
            target = try c.decode(String.self, forKey: .target)
            // Optional, but when present a string: `null` is not a reason.
            reason = try c.strict(String.self, .reason)
        }
    }

    struct RevocationList: ResponseEncodable {
        var epoch: Int
        var revocations: [Revocation]
    }

    func register(on group: RouterGroup<CustosRequestContext>) {
        group.post { request, context -> KillSwitch.Outcome in
            let kill = try await request.decodeJSON(KillRequest.self, context: context)
            return try await killSwitch.kill(kill.scope, target: kill.target, reason: kill.reason ?? "", by: "admin")
        }
        group.get { _, _ -> RevocationList in
            RevocationList(
                epoch: try await repository.currentEpoch(), revocations: try await repository.revocations(inForceAt: Date()))
        }
    }
}
