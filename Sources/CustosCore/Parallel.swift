import Dispatch

/// Index-wise work spread over all cores.
public enum Parallel {
    /// `transform(i)` for every `i` in `0..<count`, in order. The indices are cut into `chunks`
    /// contiguous ranges decided concurrently; each range writes only its own slots of the result,
    /// which no one reads before every range is done.
    public static func map<T>(count: Int, chunks: Int, _ transform: @Sendable (Int) -> T) -> [T] {
        guard count > 0 else { return [] }
        let chunks = max(1, min(chunks, count))
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            let slots = Slots(base: buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                for index in (count * chunk / chunks)..<(count * (chunk + 1) / chunks) {
                    (slots.base + index).initialize(to: transform(index))
                }
            }
            initialized = count
        }
    }

    /// The result's storage, shared by the chunks of one `concurrentPerform`; it outlives the call.
    private struct Slots<T>: @unchecked Sendable {
        let base: UnsafeMutablePointer<T>
    }
}
