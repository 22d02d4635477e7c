import CustosCore
import CustosIdentity
import Foundation
import PropertyBased
import Testing

/// The attenuation rules hold for any scopes, lifetimes and depths; the parsers of grants, key sets
/// and users' tokens never crash on arbitrary input.
@Suite struct DelegationPropertyTests {
    static let scopes = ["a", "b", "c", "d", "e", "f"]
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func agent(scopes: [String], depth: Int, ttl: Int) -> Agent {
        Agent(
            id: try! AgentID("w"), name: "w", sponsor: "s", owners: [], purpose: "", zone: "z", groups: [],
            blueprint: Blueprint(scopes: scopes, servers: ["srv"], maxCredentialTTLSeconds: ttl, maxDelegationDepth: depth),
            status: .active, revocationEpoch: 0, createdAt: now, updatedAt: now, lastSeenAt: nil)
    }

    static let actor = VerifiedSVID(
        agent: try! AgentID("w"), instance: "i", spiffeID: try! SPIFFEID(parsing: "spiffe://td/agent/w/i/i"),
        claims: SVIDClaims(sub: "spiffe://td/agent/w/i/i", aud: "custos", exp: 0, iat: 0, jti: "j", epoch: 0))

    static func pick(_ mask: Int) -> [String] { scopes.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element) }

    @Test func aGrantNeverHoldsMoreThanItsParentItsBlueprintOrTheRequest() async {
        let mask = Gen.int(in: 0...63)
        await propertyCheck(
            count: 1500,
            input: mask, mask, mask, Gen.int(in: 1...5), Gen.int(in: 0...4), Gen.int(in: 1...4000)
        ) { parentMask, blueprintMask, requestMask, parentDepth, blueprintDepth, ttl in
            let parent = GrantClaims(
                iss: "custos", sub: "alice", subjectIssuer: "idp", aud: "srv", scopes: Self.pick(parentMask),
                exp: Int64(Self.now.timeIntervalSince1970) + 900, iat: 0, jti: "p",
                actors: Array(repeating: "spiffe://td/agent/p/i/i", count: parentDepth), depth: parentDepth,
                depthLimit: parentDepth + 1, epoch: 0, singleUse: false, confirmation: nil)
            let request = ExchangeRequest(
                scopes: requestMask == 0 ? nil : Self.pick(requestMask), audience: nil, ttl: ttl, singleUse: false,
                confirmation: nil)
            do throws(OAuthError) {
                let grant = try Delegation.grant(
                    from: .grant(parent), actor: Self.actor, agent: Self.agent(scopes: Self.pick(blueprintMask), depth: blueprintDepth, ttl: 3600),
                    request: request, issuer: "custos", epoch: 0, now: Self.now)
                let held = Set(grant.scopes)
                #expect(!held.isEmpty)
                #expect(held.isSubset(of: Set(parent.scopes)) && held.isSubset(of: Set(Self.pick(blueprintMask))))
                if let asked = request.scopes { #expect(held.isSubset(of: Set(asked))) }
                #expect(grant.exp <= parent.exp && grant.exp - grant.iat <= Int64(min(ttl, 3600)))
                #expect(grant.depth == parent.depth + 1 && grant.depth <= parent.depthLimit)
                #expect(grant.depthLimit <= parent.depthLimit && grant.sub == parent.sub && grant.aud == parent.aud)
                #expect(grant.actors.dropFirst().elementsEqual(parent.actors))
            } catch {
                // Refused only when nothing could be granted.
                let possible = Set(parent.scopes).intersection(Self.pick(blueprintMask))
                    .intersection(request.scopes.map(Set.init) ?? Set(parent.scopes))
                #expect(["invalid_scope", "invalid_grant"].contains(error.code))
                #expect(error.code != "invalid_scope" || possible.isEmpty)
            }
        }
    }

    @Test func arbitraryBytesNeverCrashTheTokenParsers() async {
        await propertyCheck(count: 3000, input: Gen.int(in: 0...255).array(of: 0...96)) { (bytes: [Int]) in
            let data = Data(bytes.map { UInt8($0) })
            _ = try? GrantClaims(payload: data)
            _ = try? JWKSet(data: data)
            let text = String(decoding: data, as: UTF8.self)
            _ = TrustedIssuer.unverifiedIssuer(of: text)
            _ = try? JWS.parse(text + "." + Base64URL.encode(data) + "." + text, algorithms: TrustedIssuer.algorithms)
        }
    }

    @Test func base64URLAgreesWithFoundationAndRoundTrips() async {
        await propertyCheck(count: 2000, input: Gen.int(in: 0...255).array(of: 0...70)) { (bytes: [Int]) in
            let data = Data(bytes.map { UInt8($0) })
            let encoded = Base64URL.encode(data)
            let reference = data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(encoded == reference)
            #expect(Base64URL.decode(encoded[...]) == data)
        }
        #expect(Base64URL.decode("a"[...]) == nil && Base64URL.decode("ab=c"[...]) == nil && Base64URL.decode("a b"[...]) == nil)
        #expect(Base64URL.decode("AB"[...]) == nil)  // 12 bits: the last 4 must be zero, and B has them set
        #expect(Base64URL.decode("AA"[...]) == Data([0]))
    }

    @Test func grantClaimsSurviveTheirOwnEncoding() throws {
        let claims = GrantClaims(
            iss: "custos", sub: "alice", subjectIssuer: "idp", aud: "srv", scopes: ["a", "b"], exp: 10, iat: 1, jti: "j",
            actors: ["spiffe://td/agent/b/i/1", "spiffe://td/agent/a/i/1"], depth: 2, depthLimit: 3, epoch: 4, singleUse: true,
            confirmation: "thumb")
        let data = try JSONSerialization.data(withJSONObject: claims.jsonObject)
        #expect(try GrantClaims(payload: data) == claims)
        // A chain that does not match its depth is refused.
        var object = claims.jsonObject
        object["custos_depth"] = 1
        #expect(throws: CustosError.unauthorized("")) { try GrantClaims(payload: try JSONSerialization.data(withJSONObject: object)) }
    }
}
