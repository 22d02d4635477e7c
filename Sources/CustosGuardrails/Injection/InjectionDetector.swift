public import Foundation

/// How likely a text is a prompt injection or jailbreak, and why.
public struct InjectionResult: Hashable, Sendable {
    /// In [0, 1].
    public var score: Double
    /// Whether the score reached the detector's threshold.
    public var flagged: Bool
    /// What the detector saw: phrase families (`override_previous`, `prompt_leak`, …) and disguises
    /// (`invisible_characters`, `homoglyphs`, `spaced_letters`, `encoded_payload`, `role_markers`).
    public var signals: [String]
}

/// Scores text for prompt injection with a logistic model over phrase families in six languages,
/// signs of disguise, hashed word unigrams and bigrams, and hashed character 4-grams, all read after
/// ``InjectionText`` has taken the disguises off. The model is trained by `Scripts/train_injection.py`
/// (provenance and figures in docs/GUARDRAILS.md) and shipped as `injection-model.json`. Linear in the
/// text; texts are read up to 64 Ki scalars.
public struct InjectionDetector: Sendable {
    public let model: InjectionModel
    public var threshold: Double

    public init(model: InjectionModel = .shipped, threshold: Double? = nil) {
        self.model = model
        self.threshold = threshold ?? model.threshold
    }

    public func score(_ text: String) -> InjectionResult {
        let extracted = InjectionFeatures(text)
        let score = model.probability(extracted.indices)
        return InjectionResult(score: score, flagged: score >= threshold, signals: extracted.signals)
    }
}

/// The features of one text: named ones first (phrase families, disguises), then hashed word n-grams,
/// then hashed character 4-grams.
public struct InjectionFeatures: Sendable {
    public static let named = 32
    /// Buckets of the word unigrams and bigrams.
    public static let buckets = 1 << 14
    /// Buckets of the character 4-grams (of ``InjectionText/flat``'s bytes), after the word ones.
    public static let gramBuckets = 1 << 15
    /// Every feature index is below this.
    public static let width = named + buckets + gramBuckets
    public static let signalNames = [
        "invisible_characters", "homoglyphs", "spaced_letters", "encoded_payload", "role_markers", "several_families",
        "second_person",
    ]

    /// The indices of the features present (all features are 0 or 1).
    public private(set) var indices: [Int] = []
    public private(set) var signals: [String] = []

    static let secondPerson = Set(["you", "your", "du", "dein", "tu", "vous", "votre", "usted", "tuo", "tua"].map { FNV.hash($0.utf8) })

    public init(_ text: String) {
        let read = InjectionText(text)
        var hashes: [UInt32] = []
        var filled: [InjectionPatterns.SlotSet] = []
        hashes.reserveCapacity(read.ranges.count)
        filled.reserveCapacity(read.ranges.count)
        for range in read.ranges {
            let (hash, slots) = InjectionPatterns.analyze(read.bytes[range])
            hashes.append(hash)
            filled.append(slots)
        }
        var present = Present(capacity: read.ranges.count * 2 + read.flat.count)
        let families = InjectionPatterns.match(filled)
        var matched = 0
        for (index, name) in InjectionPatterns.families.enumerated() where families & (1 << UInt64(index)) != 0 {
            present.insert(index)
            signals.append(name)
            matched += 1
        }
        let base = InjectionPatterns.families.count
        let disguises = [read.invisible > 0, read.homoglyphs > 0, read.spacedWords > 0, read.encodedPayloads > 0, read.roleMarkers > 0]
        for (offset, shown) in disguises.enumerated() where shown {
            present.insert(base + offset)
            signals.append(Self.signalNames[offset])
        }
        if matched >= 2 { present.insert(base + 5) }
        if hashes.contains(where: Self.secondPerson.contains) { present.insert(base + 6) }
        let mask = UInt32(Self.buckets - 1)
        for (position, hash) in hashes.enumerated() {
            present.insert(Self.named + Int(hash & mask))
            if position > 0 {
                // The bigram "previous word": the first word's hash carried on through a space and the second.
                let bigram = FNV.hash(read.bytes[read.ranges[position]], from: FNV.step(hashes[position - 1], 0x20))
                present.insert(Self.named + Int(bigram & mask))
            }
        }
        // Character 4-grams see what words miss: punctuation and markup (`<|`, `###`, `}}`), word
        // fragments, and words run together.
        let gramBase = Self.named + Self.buckets
        let gramMask = UInt32(Self.gramBuckets - 1)
        read.flat.withUnsafeBufferPointer { flat in
            guard flat.count >= 4 else { return }
            for start in 0...(flat.count - 4) {
                var hash = FNV.step(FNV.offset, flat[start])
                hash = FNV.step(hash, flat[start + 1])
                hash = FNV.step(hash, flat[start + 2])
                hash = FNV.step(hash, flat[start + 3])
                present.insert(gramBase + Int(hash & gramMask))
            }
        }
        indices = present.indices
    }

    /// The feature indices seen, each once, in the order first seen.
    private struct Present {
        var indices: [Int] = []
        private var seen = [UInt64](repeating: 0, count: (InjectionFeatures.width + 63) / 64)

        init(capacity: Int) { indices.reserveCapacity(capacity) }

        @inline(__always) mutating func insert(_ index: Int) {
            let (word, bit) = (index >> 6, UInt64(1) << UInt64(index & 63))
            guard seen[word] & bit == 0 else { return }
            seen[word] |= bit
            indices.append(index)
        }
    }
}

/// A logistic model: weights by feature index, a bias, and the threshold it was calibrated for.
public struct InjectionModel: Sendable {
    public let bias: Double
    /// By feature index, dense (``InjectionFeatures/width`` of them).
    public let weights: [Double]
    public let threshold: Double

    public init(bias: Double, weights: [Int: Double], threshold: Double) {
        var dense = [Double](repeating: 0, count: InjectionFeatures.width)
        for (index, weight) in weights where dense.indices.contains(index) { dense[index] = weight }
        self.bias = bias
        self.weights = dense
        self.threshold = threshold
    }

    /// The probability of an injection given the features present.
    public func probability(_ present: [Int]) -> Double {
        var sum = bias
        for index in present { sum += weights[index] }
        return 1 / (1 + exp(-sum))
    }

    /// Reads `{"bias": b, "threshold": t, "weights": [[index, weight], …]}`.
    public init(json data: Data) throws {
        struct Wire: Decodable {
            let bias: Double
            let threshold: Double
            let weights: [[Double]]
        }
        let wire = try JSONDecoder().decode(Wire.self, from: data)
        var weights: [Int: Double] = [:]
        for pair in wire.weights where pair.count == 2 { weights[Int(pair[0])] = pair[1] }
        self.init(bias: wire.bias, weights: weights, threshold: wire.threshold)
    }

    /// The model shipped with Custos; without it (a broken build) every text scores 0.5 and is flagged,
    /// which fails closed.
    public static let shipped: InjectionModel = {
        guard let url = Bundle.module.url(forResource: "injection-model", withExtension: "json"),
            let data = try? Data(contentsOf: url), let model = try? InjectionModel(json: data)
        else { return InjectionModel(bias: 0, weights: [:], threshold: 0.5) }
        return model
    }()
}
