import CustosAudit
import Foundation
import Testing

@Suite struct SignedNoteTests {
    /// The example of c2sp.org/signed-note, as listed in `../shared/data/README.md`.
    static let specKey = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
    static let specNote = """
        This is an example message.

        \u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=

        """

    @Test func theSpecificationVectorVerifies() throws {
        let verifier = try NoteVerifier(verifierKey: Self.specKey)
        #expect(try verifier.open(Self.specNote) == "This is an example message.\n")
        #expect(verifier.verifierKey == Self.specKey)
    }

    @Test func aChangedTextOrSignatureIsRejected() throws {
        let verifier = try NoteVerifier(verifierKey: Self.specKey)
        let changedText = Self.specNote.replacingOccurrences(of: "example message", with: "example massage")
        #expect(throws: NoteError.self) { try verifier.open(changedText) }
        let changedSignature = Self.specNote.replacingOccurrences(of: "Uw2QOkn8", with: "Uw2QOkn9")
        #expect(throws: NoteError.self) { try verifier.open(changedSignature) }
    }

    @Test func signedNotesOpenWithTheirKeyOnly() throws {
        let signer = try NoteSigner(name: "custos.example/audit")
        let other = try NoteSigner(name: "custos.example/audit")
        let note = try signer.sign("line one\nline two\n")
        #expect(try signer.verifier.open(note) == "line one\nline two\n")
        #expect(throws: NoteError.self) { try other.verifier.open(note) }
        let reloaded = try NoteSigner(signerKey: signer.signerKey)
        #expect(reloaded.verifier == signer.verifier)
        #expect(try NoteVerifier(verifierKey: signer.verifier.verifierKey) == signer.verifier)
        // A second signature by an unknown key is ignored.
        let cosigned = note + "\u{2014} witness.example " + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n"
        #expect(try signer.verifier.open(cosigned) == "line one\nline two\n")
    }

    @Test(arguments: [
        "", "text\n", "text\n\n", "text\n\n\u{2014} example.com/foo\n", "text\n\n- example.com/foo AAAAAAAA\n",
        "text\n\n\u{2014} example.com/foo !!!\n", "text\n\n\u{2014} example.com/foo AAAA\n",
        "text\u{7}\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n",
        "\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n",
        "This is an example message.\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=",
    ])
    func malformedNotesAreRejected(note: String) throws {
        let verifier = try NoteVerifier(verifierKey: Self.specKey)
        #expect(throws: NoteError.self) { try verifier.open(note) }
    }

    @Test(arguments: [
        "", "example.com/foo", "example.com/foo+530d903a", "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        "example.com/bar+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "example com+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        "example.com/foo+530d903a+AkyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
    ])
    func malformedVerifierKeysAreRejected(key: String) {
        #expect(throws: NoteError.self) { try NoteVerifier(verifierKey: key) }
    }

    @Test func signingRefusesTextsThatCannotBeNotes() throws {
        let signer = try NoteSigner(name: "custos.example/audit")
        for text in ["no newline", "blank\n\nline\n", "bell\u{7}\n", "\n"] {
            #expect(throws: NoteError.self) { try signer.sign(text) }
        }
        #expect(throws: NoteError.self) { try NoteSigner(name: "with space") }
        #expect(throws: NoteError.self) { try NoteSigner(name: "with+plus") }
    }

    @Test func checkpointsRoundTripAndAreStrict() throws {
        let signer = try NoteSigner(name: "custos.example/audit")
        let checkpoint = Checkpoint(origin: "custos.example/audit", size: 42, root: .leaf([1, 2, 3]))
        let note = try signer.sign(checkpoint.text)
        #expect(try Checkpoint.open(note, verifier: signer.verifier, origin: "custos.example/audit") == checkpoint)
        #expect(throws: NoteError.self) { try Checkpoint.open(note, verifier: signer.verifier, origin: "another/log") }
        let root = checkpoint.root.base64
        for text in ["origin\n042\n\(root)\n", "origin\n-1\n\(root)\n", "origin\n1\nAAAA\n", "origin\n1\n", "\n1\n\(root)\n",
            "origin\n1\n\(root)\n\nextension\n"]
        {
            #expect(throws: NoteError.self, "\(text)") { try Checkpoint(text: text) }
        }
        #expect(try Checkpoint(text: "o\n1\n\(root)\next\n").extensions == ["ext"])
    }
}
