/// A lexical token of Cedar policy or schema text.
struct Token: Sendable {
    enum Kind: Hashable, Sendable {
        case identifier(String)
        case string(String)  // raw contents between the quotes, escapes not yet processed
        case integer(String)  // digits only
        case slot(String)  // ?principal, ?resource, or another ?name (rejected by the parser)
        case symbol(String)  // punctuation and operators
        case end
    }

    let kind: Kind
    let location: SourceLocation

    var describe: String {
        switch kind {
        case .identifier(let s): "`\(s)`"
        case .string(let s): "string \"\(s)\""
        case .integer(let s): "number \(s)"
        case .slot(let s): "`\(s)`"
        case .symbol(let s): "`\(s)`"
        case .end: "end of input"
        }
    }

    func isSymbol(_ s: String) -> Bool {
        if case .symbol(let t) = kind { return t == s }
        return false
    }

    func isIdentifier(_ s: String) -> Bool {
        if case .identifier(let t) = kind { return t == s }
        return false
    }
}

/// Splits Cedar text (policies or schemas) into tokens; `//` comments and whitespace are skipped.
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var line = 1
    private var column = 1

    /// Largest input accepted, in Unicode scalars; bigger input is rejected before lexing.
    static let maximumInputSize = 64 * 1024 * 1024

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    static func tokenize(_ text: String) throws(CedarError) -> [Token] {
        var lexer = Lexer(text)
        guard lexer.scalars.count <= maximumInputSize else {
            throw .parse("input is larger than \(maximumInputSize) characters", at: lexer.location)
        }
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if case .end = token.kind { return tokens }
        }
    }

    private var location: SourceLocation { SourceLocation(line: line, column: column, offset: index) }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        index + ahead < scalars.count ? scalars[index + ahead] : nil
    }

    private mutating func advance() {
        if scalars[index] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    private static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }

    private static func isIdentifierPart(_ c: Unicode.Scalar) -> Bool {
        isIdentifierStart(c) || (c >= "0" && c <= "9")
    }

    private mutating func skipTrivia() {
        while let c = peek() {
            if c == " " || c == "\t" || c == "\n" || c == "\r" || c.properties.isWhitespace {
                advance()
            } else if c == "/", peek(1) == "/" {
                while let d = peek(), d != "\n" { advance() }
            } else {
                return
            }
        }
    }

    private mutating func next() throws(CedarError) -> Token {
        skipTrivia()
        let start = location
        guard let c = peek() else { return Token(kind: .end, location: start) }
        if Self.isIdentifierStart(c) {
            var text = ""
            while let d = peek(), Self.isIdentifierPart(d) {
                text.unicodeScalars.append(d)
                advance()
            }
            return Token(kind: .identifier(text), location: start)
        }
        if c >= "0" && c <= "9" {
            var text = ""
            while let d = peek(), d >= "0" && d <= "9" {
                text.unicodeScalars.append(d)
                advance()
            }
            if let d = peek(), Self.isIdentifierStart(d) {
                throw .parse("invalid number literal `\(text)\(d)`", at: start)
            }
            return Token(kind: .integer(text), location: start)
        }
        if c == "\"" {
            advance()
            var text = ""
            while true {
                guard let d = peek() else { throw .parse("unterminated string literal", at: start) }
                advance()
                if d == "\"" { break }
                text.unicodeScalars.append(d)
                if d == "\\" {
                    guard let e = peek() else { throw .parse("unterminated string literal", at: start) }
                    text.unicodeScalars.append(e)
                    advance()
                }
            }
            return Token(kind: .string(text), location: start)
        }
        if c == "?" {
            advance()
            var text = "?"
            while let d = peek(), Self.isIdentifierPart(d) {
                text.unicodeScalars.append(d)
                advance()
            }
            return Token(kind: .slot(text), location: start)
        }
        let twoCharacter: Set<String> = ["==", "!=", "<=", ">=", "&&", "||", "::"]
        if let d = peek(1) {
            let pair = String(c) + String(d)
            if twoCharacter.contains(pair) {
                advance()
                advance()
                return Token(kind: .symbol(pair), location: start)
            }
        }
        let single: Set<Unicode.Scalar> = [
            "(", ")", "[", "]", "{", "}", ",", ";", ".", ":", "@", "<", ">", "!", "+", "-", "*", "=", "/", "%",
        ]
        if single.contains(c) {
            advance()
            return Token(kind: .symbol(String(c)), location: start)
        }
        throw .parse("unexpected character `\(c)`", at: start)
    }
}

/// Cedar's string escapes: `\n \r \t \\ \0 \' \" \u{…}`; in `like` patterns also `\*`.
enum Unescape {
    /// Processes escapes; `\*` is only accepted (and kept as a literal star) when `pattern` is set.
    static func string(_ raw: String, at location: SourceLocation) throws(CedarError) -> String {
        var out = String.UnicodeScalarView()
        for element in try elements(raw, pattern: false, at: location) {
            if case .literal(let c) = element { out.append(c) }
        }
        return String(out)
    }

    static func pattern(_ raw: String, at location: SourceLocation) throws(CedarError) -> Pattern {
        Pattern(try elements(raw, pattern: true, at: location))
    }

    private static func elements(_ raw: String, pattern: Bool, at location: SourceLocation) throws(CedarError)
        -> [Pattern.Element]
    {
        var out: [Pattern.Element] = []
        let s = Array(raw.unicodeScalars)
        var i = 0
        while i < s.count {
            let c = s[i]
            i += 1
            if c == "*" && pattern {
                out.append(.wildcard)
                continue
            }
            guard c == "\\" else {
                out.append(.literal(c))
                continue
            }
            guard i < s.count else { throw .parse("invalid escape at end of string", at: location) }
            let e = s[i]
            i += 1
            switch e {
            case "n": out.append(.literal("\n"))
            case "r": out.append(.literal("\r"))
            case "t": out.append(.literal("\t"))
            case "\\": out.append(.literal("\\"))
            case "0": out.append(.literal("\0"))
            case "'": out.append(.literal("'"))
            case "\"": out.append(.literal("\""))
            case "*" where pattern: out.append(.literal("*"))
            case "u":
                guard i < s.count, s[i] == "{" else { throw .parse("invalid unicode escape", at: location) }
                i += 1
                var hex = ""
                while i < s.count, s[i] != "}" {
                    hex.unicodeScalars.append(s[i])
                    i += 1
                }
                guard i < s.count, (1...6).contains(hex.count), let value = UInt32(hex, radix: 16),
                    let scalar = Unicode.Scalar(value)
                else { throw .parse("invalid unicode escape `\\u{\(hex)}`", at: location) }
                i += 1
                out.append(.literal(scalar))
            default:
                throw .parse("invalid escape `\\\(e)`", at: location)
            }
        }
        return out
    }
}
