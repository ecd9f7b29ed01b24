/// A min-heap of (deadline, token) pairs: the request timeouts of a reply inbox.
struct DeadlineHeap {
    private var items: [(deadline: UInt64, token: UInt64)] = []

    var count: Int { items.count }

    mutating func push(deadline: UInt64, token: UInt64) {
        items.append((deadline, token))
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].deadline < items[parent].deadline else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest token if its deadline is at or before `now`.
    mutating func popDue(now: UInt64) -> UInt64? {
        guard let first = items.first, first.deadline <= now else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < items.count && items[left].deadline < items[smallest].deadline { smallest = left }
                if right < items.count && items[right].deadline < items[smallest].deadline { smallest = right }
                guard smallest != parent else { break }
                items.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first.token
    }
}
