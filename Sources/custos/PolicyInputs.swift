import ArgumentParser
import Cedar
import Foundation

/// Reads the files the policy commands share.
enum PolicyInputs {
    static func text(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read \(path)")
        }
    }

    static func schema(_ path: String?) throws -> Schema? {
        guard let path else { return nil }
        let text = try text(path)
        do {
            if path.hasSuffix(".json") { return try Schema(json: try JSONValue.decode(text)) }
            return try Schema(cedarSchema: text)
        } catch {
            throw CommandFailure("\(path): \(error)")
        }
    }

    static func policies(_ path: String) throws -> PolicySet {
        do {
            return try PolicySet(parsing: try text(path))
        } catch {
            throw CommandFailure("\(path): \(error)")
        }
    }

    /// Policies from Cedar text, or from Cedar's JSON policy format when `json` (by default: when the
    /// name ends in `.json`).
    static func policySet(_ path: String, json: Bool? = nil) throws -> PolicySet {
        guard json ?? path.hasSuffix(".json") else { return try policies(path) }
        let text = try text(path)
        do {
            return try PolicySet(json: try JSONValue.decode(text))
        } catch {
            throw CommandFailure("\(path): \(error)")
        }
    }

    /// Requests, one JSON object per line; blank lines are skipped.
    static func requests(_ path: String, schema: Schema?) throws -> [Request] {
        var parsed: [Request] = []
        for (number, line) in try text(path).split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.allSatisfy(\.isWhitespace) {
            do {
                parsed.append(try Request(json: try JSONValue.decode(String(line)), schema: schema))
            } catch {
                throw CommandFailure("\(path):\(number + 1): \(error)")
            }
        }
        guard !parsed.isEmpty else { throw CommandFailure("\(path): no requests") }
        return parsed
    }

    static func entities(_ path: String?, schema: Schema?) throws -> Entities {
        guard let path else { return try Entities(json: .array([]), schema: schema) }
        do {
            return try Entities(jsonData: try text(path).utf8, schema: schema)
        } catch let error as CedarError {
            throw CommandFailure("\(path): \(error)")
        }
    }
}

/// A failure already explained to the user; exits with status 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension CommandFailure {
    func report() -> ExitCode {
        FileHandle.standardError.write(Data("error: \(description)\n".utf8))
        return ExitCode.failure
    }
}
