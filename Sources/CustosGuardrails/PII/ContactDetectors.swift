#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// E-mail addresses, IP addresses and phone numbers.
enum ContactDetectors {
    private static func isLocalPart(_ text: ScalarText, _ index: Int) -> Bool {
        text.isAny(index, .asciiAlphanumeric) || [".", "_", "%", "+", "-"].contains(text[index])
    }

    private static func isDomain(_ text: ScalarText, _ index: Int) -> Bool {
        text.isAny(index, .asciiAlphanumeric) || text[index] == "-" || text[index] == "."
    }

    /// `local@domain.tld`: at each `@`, the longest local part to the left (at most 64) and domain to
    /// the right (at most 253) whose last label is two or more letters.
    static func emails(_ text: ScalarText, into findings: inout [Finding]) {
        var lastEnd = 0
        for at in text.anchors where at >= lastEnd && text[at] == "@" {
            var start = at
            while start > lastEnd, at - start < 64, isLocalPart(text, start - 1) { start -= 1 }
            while start < at, text[start] == "." { start += 1 }
            guard start < at else { continue }
            var end = at + 1
            while end < text.count, end - at <= 253, isDomain(text, end) { end += 1 }
            while end > at + 1, text[end - 1] == "." || text[end - 1] == "-" { end -= 1 }
            let domain = text.string(at + 1..<end)
            let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
            guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }), let tld = labels.last, tld.count >= 2,
                tld.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic })
            else { continue }
            findings.append(Finding(type: "EMAIL_ADDRESS", start: start, end: end, score: 1.0))
            lastEnd = end
        }
    }

    /// Dotted-quad IPv4 addresses (each part 0–255) and IPv6 addresses (checked by `inet_pton`), standing
    /// alone: not after a letter or digit (`v1.2.3.4` is a version), a colon or a dot.
    static func ipAddresses(_ text: ScalarText, into findings: inout [Finding]) {
        var resume = 0
        for index in text.anchors where index >= resume {
            let s = text[index]
            let startsToken = index == 0 || !(isHex(text, index - 1) || text[index - 1] == ":" || text[index - 1] == ".")
            guard startsToken, s == ":" || (isHex(text, index) && !text.isAny(index - 1, .asciiAlphanumeric)) else { continue }
            var end = index
            var colons = 0
            var dots = 0
            while end < text.count, end - index < 45, isHex(text, end) || text[end] == ":" || text[end] == "." {
                if text[end] == ":" { colons += 1 }
                if text[end] == "." { dots += 1 }
                end += 1
            }
            while end > index, text[end - 1] == "." || (text[end - 1] == ":" && colons < 2) {
                if text[end - 1] == "." { dots -= 1 }
                end -= 1
            }
            // Only a token of the right shape is worth a closer look (most hex-letter words are not).
            let shaped = colons >= 2 || (colons == 0 && dots == 3 && (index..<end).allSatisfy { text.isDigit($0) || text[$0] == "." })
            if shaped, !text.isAlphanumeric(end) {
                let candidate = text.string(index..<end)
                if colons >= 2 ? isIPv6(candidate) : isIPv4(candidate) {
                    findings.append(Finding(type: "IP_ADDRESS", start: index, end: end, score: 0.95))
                }
            }
            resume = end
        }
    }

    @inline(__always) private static func isHex(_ text: ScalarText, _ index: Int) -> Bool { text.isAny(index, .hexDigit) }

    static func isIPv4(_ candidate: String) -> Bool {
        let parts = candidate.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                (1...3).contains(part.count) && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
                    && Int(part).map { $0 <= 255 } == true
            }
    }

    static func isIPv6(_ candidate: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, candidate, &address) == 1
    }

    static let phoneContext = WordKeys(["phone", "tel", "telephone", "call", "mobile", "cell", "fax", "number", "contact", "reach", "dial", "whatsapp"])

    /// International (`+CC …`) and national formats: digits with spaces, dashes, dots or a
    /// parenthesised area code, 7–15 digits. Scores: `+` prefix 0.75; an area code in parentheses or a
    /// leading trunk `0` 0.6; three or more groups 0.55; two groups 0.35; ten bare digits 0.3; each
    /// raised by 0.35 with a context word nearby. Date- and time-like runs are skipped.
    static func phoneNumbers(_ text: ScalarText, into findings: inout [Finding]) {
        guard text.census.digits >= 7 else { return }
        var resume = 0
        for index in text.anchors where index >= resume {
            let s = text[index]
            let startsHere =
                (s == "+" && text.isDigit(index + 1)) || (s == "(" && text.isDigit(index + 1))
                || (text.isDigit(index) && !text.isAlphanumeric(index - 1) && !(index > 0 && "+-./:".unicodeScalars.contains(text[index - 1])))
            guard startsHere else { continue }
            var end = index + 1
            var digits = text.isDigit(index) ? 1 : 0
            var separators = 0
            var lastDigitEnd = text.isDigit(index) ? index + 1 : index
            while end < text.count, end - index < 24 {
                let c = text[end]
                if text.isDigit(end) {
                    digits += 1
                    lastDigitEnd = end + 1
                } else if c == " " || c == "-" || c == "." || c == "(" || c == ")" {
                    separators += 1
                    if end + 1 < text.count, !text.isDigit(end + 1), text[end + 1] != "(" { break }
                } else {
                    break
                }
                end += 1
            }
            resume = max(lastDigitEnd, index + 1)
            guard (7...15).contains(digits), !text.isAlphanumeric(lastDigitEnd) else { continue }
            let candidate = text.string(index..<lastDigitEnd)
            if looksLikeDateOrTime(candidate) { continue }
            let groups = candidate.split(whereSeparator: { !$0.isNumber }).count
            var score: Double
            if s == "+" {
                score = 0.75
            } else if s == "(" || (groups >= 2 && candidate.hasPrefix("0")) {
                score = 0.6  // an area code in parentheses, or a national trunk prefix
            } else if groups >= 3 {
                score = 0.55
            } else if separators > 0 {
                score = 0.35  // two groups: as often a house number and a postcode
            } else if digits == 10 {
                score = 0.3
            } else {
                score = 0.1
            }
            if text.hasContext(phoneContext, around: index..<lastDigitEnd) { score = min(1.0, score + 0.35) }
            findings.append(Finding(type: "PHONE_NUMBER", start: index, end: lastDigitEnd, score: score))
        }
    }

    /// `2012-10-01`, `1980-07-28 19:49`, `7/14/1995`, `12.05.2020`: not phone numbers.
    static func looksLikeDateOrTime(_ candidate: String) -> Bool {
        let groups = candidate.split(whereSeparator: { !$0.isNumber }).map(String.init)
        guard groups.count >= 3 else { return false }
        if groups[0].count == 4, let year = Int(groups[0]), (1900...2100).contains(year),
            let month = Int(groups[1]), (1...12).contains(month), groups[1].count <= 2
        {
            return true
        }
        if groups[2].count == 4, let year = Int(groups[2]), (1900...2100).contains(year), groups[0].count <= 2,
            groups[1].count <= 2
        {
            return true
        }
        return false
    }
}
