import Engine
import Testing

/// Rules the API, the CLI and the dialect read from the engine: one home each.
@Suite struct PolicyTextTests {
    @Test func password_isEightTo1024Characters_namedByField() {
        #expect(PasswordPolicy.refusal(of: "1234567", field: "password") == "password must be 8 to 1024 characters")
        #expect(PasswordPolicy.refusal(of: "12345678", field: "password") == nil)
        #expect(PasswordPolicy.refusal(of: String(repeating: "x", count: 1_024), field: "p") == nil)
        #expect(PasswordPolicy.refusal(of: String(repeating: "x", count: 1_025), field: "new_password") != nil)
    }

    @Test func everyIncidentStatus_hasADefaultUpdateText() {
        for status in IncidentStatus.allCases { #expect(!status.defaultUpdateBody.isEmpty, "\(status)") }
        #expect(IncidentStatus.resolved.defaultUpdateBody == "This incident has been resolved.")
    }

    @Test func serviceSeverity_ranksMaintenanceBetweenOperationalAndEveryOutage() {
        let order: [ServiceStatus] = [
            .operational, .underMaintenance, .degradedPerformance, .partialOutage, .majorOutage,
        ]
        #expect(order.map(\.severity) == order.map(\.severity).sorted())
        #expect(Set(order.map(\.severity)).count == order.count)
    }
}
