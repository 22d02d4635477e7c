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
