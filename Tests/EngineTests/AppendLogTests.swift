import Engine
import Testing

/// The persistent vector behind status histories: every element where it was put, and old copies
/// untouched by appends to new ones.
@Suite struct AppendLogTests {
    @Test(arguments: [0, 1, 31, 32, 33, 1_023, 1_024, 1_025, 32 * 32 * 32 + 40, 40_000])
    func append_keepsEveryElementInPlace(count: Int) {
        var log = AppendLog<Int>()
        for value in 0..<count { log.append(value) }
        #expect(log.count == count)
        #expect(Array(log) == Array(0..<count))
    }

    @Test func olderCopies_doNotSeeLaterAppends() {
        var log = AppendLog<Int>()
        var snapshots: [(Int, AppendLog<Int>)] = []
        for value in 0..<5_000 {
            log.append(value)
            if value % 97 == 0 { snapshots.append((value + 1, log)) }
        }
        for (count, snapshot) in snapshots {
            #expect(snapshot.count == count)
            #expect(snapshot.last == count - 1)
            #expect(snapshot[count / 2] == count / 2)
        }
        var branch = snapshots[3].1
        branch.append(-1)
        #expect(branch.last == -1)
        #expect(log[snapshots[3].0] == snapshots[3].0, "a diverged copy leaves the original alone")
    }
}
