@preconcurrency public import Crypto
public import Foundation

/// Why a signed note or key could not be read or verified.
public struct NoteError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys: a text ending in a newline, a blank
/// line, and signature lines `— <key name> <base64(key id ‖ signature)>`.
public enum SignedNote {
    /// Longest note accepted, in bytes.
    public static let maximumNoteBytes = 1 << 20
    /// Most signature lines accepted on one note.
    public static let maximumSignatures = 100
    static let ed25519Type: UInt8 = 0x01
    static let dash = "\u{2014} "

    /// `SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[0..<4]`.
    static func keyID(name: String, publicKey: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: Array(name.utf8) + [0x0A, ed25519Type] + publicKey)
        return Array(hasher.finalize().prefix(4))
    }

    /// A key name is non-empty and contains no whitespace and no `+`.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && !name.unicodeScalars.contains { $0 == "+" || $0.properties.isWhitespace || $0.value < 0x20 }
    }

    /// Checks the text's form: ends in a newline, no blank line, no control characters but newlines.
    /// Works on UTF-8 bytes, where every byte below 0x80 is the ASCII character itself.
    static func checkText(_ text: some BidirectionalCollection<UInt8>) throws(NoteError) {
        guard text.last == 0x0A else { throw NoteError("the note text must end with a newline") }
        var previous: UInt8 = 0x0A
        for byte in text {
            guard byte >= 0x20 || byte == 0x0A else { throw NoteError("the note text must not contain control characters") }
            guard !(byte == 0x0A && previous == 0x0A) else { throw NoteError("the note text must not contain a blank line") }
            previous = byte
        }
    }

    struct Signature {
        var name: String
        var keyID: [UInt8]
        var signature: [UInt8]
    }

    /// Splits a note at its last blank line into its text and its signature lines.
    static func split(_ note: String) throws(NoteError) -> (text: [UInt8], signatures: [Signature]) {
        let bytes = Array(note.utf8)
        guard bytes.count <= maximumNoteBytes else { throw NoteError("the note is larger than \(maximumNoteBytes) bytes") }
        guard let separator = bytes.indices.dropLast().last(where: { bytes[$0] == 0x0A && bytes[$0 + 1] == 0x0A }) else {
            throw NoteError("the note has no blank line before its signatures")
        }
        let text = Array(bytes[...separator])
        try checkText(text)
        let block = bytes[(separator + 2)...]
        guard block.last == 0x0A else { throw NoteError("the signature block must end with a newline") }
        let dash = Array(Self.dash.utf8)
        var signatures: [Signature] = []
        for line in block.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false) {
            guard line.starts(with: dash) else { throw NoteError("a signature line must start with an em dash and a space") }
            let fields = line.dropFirst(dash.count).split(separator: 0x20, omittingEmptySubsequences: false)
            let name = String(decoding: fields[0], as: UTF8.self)
            guard fields.count == 2, isValidName(name),
                let decoded = Data(base64Encoded: Data(fields[1])), decoded.count > 4
            else { throw NoteError("malformed signature line") }
            signatures.append(Signature(name: name, keyID: Array(decoded.prefix(4)), signature: Array(decoded.dropFirst(4))))
            guard signatures.count <= maximumSignatures else {
                throw NoteError("the note has more than \(maximumSignatures) signatures")
            }
        }
        guard !signatures.isEmpty else { throw NoteError("the note has no signature") }
        return (text, signatures)
    }
}

/// Verifies notes signed by one Ed25519 key, given as a verifier key
/// `<name>+<hex key id>+<base64(0x01 ‖ public key)>`.
public struct NoteVerifier: Sendable, Equatable {
    public let name: String
    public let keyID: [UInt8]
    let publicKey: [UInt8]

    public init(verifierKey: String) throws(NoteError) {
        let parts = verifierKey.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, SignedNote.isValidName(String(parts[0])), parts[1].count == 8,
            let id = UInt32(parts[1], radix: 16), let key = Data(base64Encoded: String(parts[2])),
            key.count == 33, key.first == SignedNote.ed25519Type
        else { throw NoteError("not an Ed25519 verifier key `<name>+<key id>+<base64 key>`") }
        name = String(parts[0])
        publicKey = Array(key.dropFirst())
        keyID = withUnsafeBytes(of: id.bigEndian) { Array($0) }
        guard keyID == SignedNote.keyID(name: name, publicKey: publicKey) else {
            throw NoteError("the verifier key's id does not match its name and public key")
        }
    }

    init(name: String, publicKey: [UInt8]) {
        self.name = name
        self.publicKey = publicKey
        self.keyID = SignedNote.keyID(name: name, publicKey: publicKey)
    }

    public var verifierKey: String {
        name + "+" + keyID.map { String(format: "%02x", $0) }.joined() + "+"
            + Data([SignedNote.ed25519Type] + publicKey).base64EncodedString()
    }

    /// The note's text, if the note carries a valid signature by this key. Signatures by other keys
    /// are ignored; a signature that claims to be by this key but does not verify rejects the note.
    public func open(_ note: String) throws(NoteError) -> String {
        let (text, signatures) = try SignedNote.split(note)
        // Names compare by bytes: Swift's `==` on strings would also match canonically equivalent names.
        guard let mine = signatures.first(where: { $0.name.utf8.elementsEqual(name.utf8) && $0.keyID == keyID }) else {
            throw NoteError("the note is not signed by \(name)")
        }
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey),
            key.isValidSignature(mine.signature, for: text)
        else { throw NoteError("the signature by \(name) does not verify") }
        return String(decoding: text, as: UTF8.self)
    }
}

/// Signs notes with an Ed25519 key. Its text form (kept secret, file mode 0600) is
/// `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 ‖ seed)>`.
public struct NoteSigner: Sendable {
    public let verifier: NoteVerifier
    private let key: Curve25519.Signing.PrivateKey

    public init(name: String, key: Curve25519.Signing.PrivateKey = .init()) throws(NoteError) {
        guard SignedNote.isValidName(name) else { throw NoteError("invalid key name `\(name)`: it must be non-empty, without spaces or `+`") }
        self.key = key
        verifier = NoteVerifier(name: name, publicKey: Array(key.publicKey.rawRepresentation))
    }

    public init(signerKey: String) throws(NoteError) {
        let parts = signerKey.split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY",
            let seed = Data(base64Encoded: String(parts[4])), seed.count == 33, seed.first == SignedNote.ed25519Type,
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed.dropFirst())
        else { throw NoteError("not an Ed25519 signer key `PRIVATE+KEY+<name>+<key id>+<base64 seed>`") }
        try self.init(name: String(parts[2]), key: key)
        guard verifier.keyID.map({ String(format: "%02x", $0) }).joined() == parts[3] else {
            throw NoteError("the signer key's id does not match its name and key")
        }
    }

    public var signerKey: String {
        "PRIVATE+KEY+" + verifier.verifierKey.split(separator: "+").prefix(2).joined(separator: "+") + "+"
            + Data([SignedNote.ed25519Type] + Array(key.rawRepresentation)).base64EncodedString()
    }

    /// The signed note: `text`, a blank line and this key's signature line.
    public func sign(_ text: String) throws(NoteError) -> String {
        try SignedNote.checkText(text.utf8)
        guard let signature = try? key.signature(for: Data(text.utf8)) else { throw NoteError("signing failed") }
        let encoded = Data(verifier.keyID + Array(signature)).base64EncodedString()
        return text + "\n" + SignedNote.dash + verifier.name + " " + encoded + "\n"
    }
}
