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

    /// Whether `range`, made of ``isDomain(_:_:)`` characters, is two dot-separated labels or more, none
    /// empty, the last of two letters or more.
    private static func isDomainName(_ text: ScalarText, _ range: Range<Int>) -> Bool {
        var (labels, labelStart) = (1, range.lowerBound)
        for index in range where text[index] == "." {
            guard index > labelStart else { return false }
            (labels, labelStart) = (labels + 1, index + 1)
        }
        return labels >= 2 && range.upperBound - labelStart >= 2 && (labelStart..<range.upperBound).allSatisfy(text.isASCIILetter)
    }

    /// `local@domain.tld`: at each `@`, the longest local part to the left (at most 64) and domain to
    /// the right (at most 253) whose last label is two or more letters.
    static func emails(_ text: ScalarText, into findings: inout [Finding]) {
        var lastEnd = 0
        for at in text.markAnchors where at >= lastEnd && text[at] == "@" {
            var start = at
            while start > lastEnd, at - start < 64, isLocalPart(text, start - 1) { start -= 1 }
            while start < at, text[start] == "." { start += 1 }
            guard start < at else { continue }
            var end = at + 1
            while end < text.count, end - at <= 253, isDomain(text, end) { end += 1 }
            while end > at + 1, text[end - 1] == "." || text[end - 1] == "-" { end -= 1 }
            guard isDomainName(text, at + 1..<end) else { continue }
            findings.append(Finding(type: "EMAIL_ADDRESS", start: start, end: end, score: 1.0))
            lastEnd = end
        }
    }

    /// Dotted-quad IPv4 addresses (each part 0–255) and IPv6 addresses (checked by `inet_pton`), standing
    /// alone: not after a letter or digit (`v1.2.3.4` is a version), a colon or a dot.
    static func ipAddresses(_ text: ScalarText, into findings: inout [Finding]) {
        // An IPv4 address has four digits at least, an IPv6 address two colons.
        guard text.census.digits >= 4 || text.census.colons >= 2 else { return }
        var resume = 0
        var words = WordCursor(text)
        // An IPv4 address starts with a digit; an IPv6 address has a colon among its first five
        // characters (a group has four hex digits at most), and there are two colons in the text at
        // least. Other positions are skipped: a position inside a token looked at before never starts
        // one, so skipping changes nothing but the time.
        var nearColons: [Int] = []
        if text.census.colons >= 2 {
            // At most five anchors at each colon and before it, each listed once.
            nearColons.reserveCapacity(min(5 * text.census.colons, text.count))
            var windowStart = 0
            for colon in text.markAnchors where text[colon] == ":" {
                for index in max(colon - 4, windowStart)...colon where text.isAnchor(index) { nearColons.append(index) }
                windowStart = colon + 1
            }
        }
        for index in MergedPositions(text.numberStarts, nearColons) where index >= resume {
            let s = text[index]
            guard s == ":" || isHex(text, index) else { continue }
            // The first group of an address is at most four characters (three digits of IPv4, four hex
            // digits of IPv6), so a dot or colon follows within four: most numbers and words have none.
            guard s == ":" || (index + 1..<min(index + 5, text.count)).contains(where: { text[$0] == "." || text[$0] == ":" }) else {
                continue
            }
            // A word that neither a colon, a dot nor a digit follows is not part of an address (an
            // address of hex letters goes on with a digit or a colon; a run cut inside a word is not
            // standing alone): most words of a text, skipped by the words' list.
            if text.isASCIILetter(index), let word = words.word(startingAt: index),
                word.end >= text.count || !(text.isDigit(word.end) || text[word.end] == ":" || text[word.end] == ".")
            {
                continue
            }
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
        for index in text.numberAnchors where index >= resume {
            let s = text[index]
            let startsHere =
                (s == "+" && text.isDigit(index + 1)) || (s == "(" && text.isDigit(index + 1))
                || (text.isDigit(index) && !text.isAlphanumeric(index - 1) && !(index > 0 && continuesNumber(text[index - 1])))
            guard startsHere else { continue }
            var end = index + 1
            var digits = text.isDigit(index) ? 1 : 0
            var separators = 0
            var lastDigitEnd = text.isDigit(index) ? index + 1 : index
            // Whether a parenthesis was opened (an area code's).
            var opened = s == "("
            while end < text.count, end - index < 24 {
                let c = text[end]
                if text.isDigit(end) {
                    // A run of digits at once (up to the 24 scalars a number may span).
                    let runEnd = min(text.digitsEnd(from: end), index + 24)
                    digits += runEnd - end
                    (lastDigitEnd, end) = (runEnd, runEnd)
                    continue
                } else if c == " " || c == "-" || c == "." || c == "(" || c == ")" {
                    // A separator counts only before more digits (or an opening parenthesis); after a
                    // parenthesis that closes one this number opened, a second may stand: `(028) 9018996`,
                    // `(08)-2153-5906`. A parenthesis opens inside a number only near its start
                    // (`+49 (0) 30…`): after seven digits it opens the next number.
                    if c == "(" {
                        if digits >= 7 { break }
                        opened = true
                    }
                    let pair = c == ")" && opened && end + 2 < text.count && (text[end + 1] == " " || text[end + 1] == "-" || text[end + 1] == ".")
                    let next = end + (pair ? 2 : 1)
                    guard next < text.count, text.isDigit(next) || (text[next] == "(" && digits < 7) else { break }
                    separators += 1
                    if pair { end += 1 }
                } else {
                    break
                }
                end += 1
            }
            resume = max(lastDigitEnd, index + 1)
            // An extension (`555-123-4567x890`) belongs to the number.
            let findingEnd = extensionEnd(text, after: lastDigitEnd) ?? lastDigitEnd
            guard (7...15).contains(digits), !text.isAlphanumeric(findingEnd) else { continue }
            let digitGroups = groups(text, index..<lastDigitEnd)
            if looksLikeDateOrTime(digitGroups) { continue }
            let groups = digitGroups.count
            var score: Double
            if s == "+" {
                score = 0.75
            } else if s == "(" || (groups >= 2 && s == "0") {
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
            findings.append(Finding(type: "PHONE_NUMBER", start: index, end: findingEnd, score: score))
            resume = findingEnd
        }
    }

    /// Where an extension written `x` and one to six digits right after a number ends, if one does.
    private static func extensionEnd(_ text: ScalarText, after index: Int) -> Int? {
        guard index + 1 < text.count, text[index] == "x", text.isDigit(index + 1) else { return nil }
        var end = index + 1
        while end < text.count, end - index <= 6, text.isDigit(end) { end += 1 }
        // Seven digits or more are not an extension.
        return text.isDigit(end) ? nil : end
    }

    /// `+`, `-`, `.`, `/` or `:`: a number after one of these continues a token (a version, a date, a
    /// time), so no phone number starts there.
    @inline(__always) private static func continuesNumber(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "+", "-", ".", "/", ":": true
        default: false
        }
    }

    /// A run of ASCII digits: its value and how many digits it has.
    struct DigitGroup {
        var value = 0
        var length = 0
    }

    /// How many runs of ASCII digits a range has, and the first three (what the date rule reads).
    struct DigitGroups {
        var count = 0
        var first = DigitGroup(), second = DigitGroup(), third = DigitGroup()

        mutating func append(_ group: DigitGroup) {
            switch count {
            case 0: first = group
            case 1: second = group
            case 2: third = group
            default: break
            }
            count += 1
        }
    }

    /// The runs of ASCII digits in `range` (at most 24 scalars, so a value cannot overflow).
    static func groups(_ text: ScalarText, _ range: Range<Int>) -> DigitGroups {
        var groups = DigitGroups()
        var group = DigitGroup()
        for index in range {
            if text.isDigit(index) {
                group = DigitGroup(value: group.value * 10 + text.digitValue(index), length: group.length + 1)
            } else if group.length > 0 {
                groups.append(group)
                group = DigitGroup()
            }
        }
        if group.length > 0 { groups.append(group) }
        return groups
    }

    /// `2012-10-01`, `1980-07-28 19:49`, `7/14/1995`, `12.05.2020`: not phone numbers.
    static func looksLikeDateOrTime(_ groups: DigitGroups) -> Bool {
        guard groups.count >= 3 else { return false }
        let (first, second, third) = (groups.first, groups.second, groups.third)
        if first.length == 4, (1900...2100).contains(first.value), (1...12).contains(second.value), second.length <= 2 {
            return true
        }
        return third.length == 4 && (1900...2100).contains(third.value) && first.length <= 2 && second.length <= 2
    }
}
