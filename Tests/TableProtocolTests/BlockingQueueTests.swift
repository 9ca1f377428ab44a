import Testing
@testable import TableProtocol

/// The request queue between the reader and the workers.
@Suite struct BlockingQueueTests {
    /// Under steady pipelining the queue never drains; it must stay FIFO across the
    /// compactions that keep its memory bounded.
    @Test func staysInOrderWhenItNeverDrains() {
        let queue = BlockingQueue<Int>()
        var next = 0
        for _ in 0..<16 { queue.push(next); next += 1 }
        for expected in 0..<10_000 {
            #expect(queue.pop() == expected)
            queue.push(next)
            next += 1
        }
        queue.close()
        var rest: [Int] = []
        while let item = queue.pop() { rest.append(item) }
        #expect(rest == Array(10_000..<10_016))
    }
}
