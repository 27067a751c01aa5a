import Testing
@testable import VMIBReplication

@Suite struct WorkQueueTests {
    @Test func aKeyQueuedTwiceIsHandedOutOnce() async {
        let q = WorkQueue<String>()
        await q.add("a"); await q.add("b"); await q.add("a")
        #expect(await q.count == 2)
        #expect(await q.next() == "a")
        #expect(await q.next() == "b")
        #expect(await q.count == 0)
    }

    /// A key added while a worker holds it waits until that worker is done: never on two
    /// workers at once, and the change that re-added it is not lost.
    @Test func aKeyAddedWhileHeldComesBackOnlyAfterDone() async {
        let q = WorkQueue<String>()
        await q.add("a")
        #expect(await q.next() == "a")
        await q.add("a")
        #expect(await q.count == 0)
        await q.done("a")
        #expect(await q.count == 1)
        #expect(await q.next() == "a")
        await q.done("a")
        #expect(await q.count == 0)
    }

    @Test func shutDownReleasesWaitingWorkers() async {
        let q = WorkQueue<String>()
        async let waiting = q.next()
        await Task.yield()
        await q.shutDown()
        #expect(await waiting == nil)
        await q.add("a")
        #expect(await q.next() == nil)
    }
}
