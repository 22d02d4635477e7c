import CustosCore
import CustosIdentity
import Foundation
import Logging
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The identity providers configured in `identity.trusted_issuers`, with their current keys. Keys from
/// a file are read at start (a bad file stops the start). Keys from a URL are fetched at start and
/// again when a token names a key not in the set, at most once a minute; while an issuer's keys
/// cannot be fetched, its tokens are refused.
final class TrustedIssuerSet: Sendable {
    private struct Entry: Sendable {
        var configuration: TrustedIssuerConfiguration
        var audience: String
        var issuer: TrustedIssuer?
        var lastFetch: Date?
    }

    private let entries: Mutex<[String: Entry]>
    private let logger: Logger
    static let refetchInterval: TimeInterval = 60
    static let fetchTimeout: TimeInterval = 5
    /// The largest key set read from a URL (a set of a few dozen RSA keys is ~20 KiB).
    static let maximumKeySetBytes = 256 * 1024

    init(_ configuration: ServerConfiguration, logger: Logger) async throws(CustosError) {
        self.logger = logger
        var entries: [String: Entry] = [:]
        for trusted in configuration.trustedIssuers {
            var entry = Entry(
                configuration: trusted, audience: trusted.audience ?? configuration.effectiveIssuer, issuer: nil, lastFetch: nil)
            if let file = trusted.jwksFile {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw .invalidRequest("identity.trusted_issuers `\(trusted.issuer)`: cannot read \(file)")
                }
                do {
                    entry.issuer = TrustedIssuer(issuer: trusted.issuer, audience: entry.audience, keys: try JWKSet(data: data))
                } catch {
                    throw .invalidRequest("identity.trusted_issuers `\(trusted.issuer)`: \(file): \(error.message)")
                }
            }
            entries[trusted.issuer] = entry
        }
        self.entries = Mutex(entries)
        for (issuer, entry) in entries where entry.configuration.jwksURL != nil {
            await refresh(issuer)
        }
    }

    /// Verifies a user's token, split with ``TrustedIssuer/algorithms``, from whichever trusted issuer
    /// its `iss` names.
    func verify(_ parts: JWS.Parts, now: Date) async throws(OAuthError) -> SubjectClaims {
        guard let iss = TrustedIssuer.unverifiedIssuer(of: parts), let entry = entries.withLock({ $0[iss] }) else {
            throw .invalidGrant("the subject token's issuer is not trusted here")
        }
        // A key the set does not hold may be a rotation at the provider: fetch its keys again
        // (rate-limited) before refusing.
        if let issuer = entry.issuer, issuer.hasKey(for: parts) || entry.configuration.jwksURL == nil {
            return try issuer.verify(parts, now: now)
        }
        guard await refresh(iss), let issuer = entries.withLock({ $0[iss]?.issuer }) else {
            throw .invalidGrant("the keys of the subject token's issuer are not available")
        }
        return try issuer.verify(parts, now: now)
    }

    /// Fetches an issuer's keys from its URL unless that was tried less than a minute ago; true when
    /// new keys were taken.
    @discardableResult
    private func refresh(_ iss: String) async -> Bool {
        let due: (URL, String)? = entries.withLock { entries in
            guard let entry = entries[iss], let text = entry.configuration.jwksURL, let url = URL(string: text) else { return nil }
            if let last = entry.lastFetch, Date().timeIntervalSince(last) < Self.refetchInterval { return nil }
            entries[iss]?.lastFetch = Date()
            return (url, entry.audience)
        }
        guard let (url, audience) = due else { return false }
        do {
            var request = URLRequest(url: url, timeoutInterval: Self.fetchTimeout)
            request.setValue("application/json", forHTTPHeaderField: "Accept")
            let (data, response) = try await BoundedHTTP.data(for: request, maximumBytes: Self.maximumKeySetBytes)
            guard response.statusCode == 200 else { throw CustosError.unavailable("HTTP \(response.statusCode)") }
            let keys = try JWKSet(data: data)
            entries.withLock { $0[iss]?.issuer = TrustedIssuer(issuer: iss, audience: audience, keys: keys) }
            logger.info("trusted issuer keys fetched", metadata: ["issuer": "\(iss)", "keys": "\(keys.keys.count)"])
            return true
        } catch {
            let reason = (error as? CustosError)?.message ?? (error as? BoundedHTTP.AnswerTooLarge)?.description ?? "\(type(of: error))"
            logger.warning("cannot fetch a trusted issuer's keys", metadata: ["issuer": "\(iss)", "url": "\(url)", "reason": "\(reason)"])
            return false
        }
    }
}
