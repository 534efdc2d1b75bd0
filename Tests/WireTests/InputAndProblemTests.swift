import Engine
import Foundation
import HTTPTypes
import Testing

@testable import Wire

/// The shapes on the wire, below any framework: input aliases and problem bodies.
@Suite struct InputAndProblemTests {
    private func decode<Input: Decodable>(_ type: Input.Type, _ json: String) throws -> Input {
        try JSONDecoder().decode(Input.self, from: Data(json.utf8))
    }

    @Test func serviceInput_takesTitleForName_andStatusAsPeopleWriteIt() throws {
        let input = try decode(ServiceInput.self, #"{"title": "API", "status": "Partial Outage"}"#)
        #expect(input.name == "API" && input.status == .partialOutage)
        #expect(input.groupID == nil, "group_id absent is not a change")
        let ungrouped = try decode(ServiceInput.self, #"{"group_id": null}"#)
        #expect(ungrouped.groupID == .some(nil), "group_id null takes the service out of its group")
    }

    @Test func incidentInput_takesMessageForBody() throws {
        let input = try decode(IncidentInput.self, #"{"name": "Down", "message": "Looking", "status": "identified"}"#)
        #expect(input.body == "Looking" && input.status == .identified)
    }

    @Test func badEnumValue_isADecodingErrorNamingTheChoices() {
        #expect(throws: DecodingError.self) { try decode(ServiceStatusInput.self, #"{"status": "sideways"}"#) }
    }

    @Test func problemBody_hasSortedMembers_andFieldErrors() throws {
        let problem = Problem(status: .unprocessableContent, detail: "name is required", field: "name")
        let text = String(decoding: try problem.body(), as: UTF8.self)
        #expect(
            text
                == #"{"detail":"name is required","errors":[{"field":"name","message":"name is required"}],"status":422,"title":"Unprocessable Content","type":"about:blank"}"#
        )
    }

    @Test func engineErrors_mapToTheirStatus() {
        #expect(Problem(EngineError(.notFound, field: "id", "no service svc_x")).status == .notFound)
        #expect(Problem(EngineError(.invalid, field: "name", "is required")).status == .unprocessableContent)
        #expect(Problem(EngineError(.conflict, "taken")).status == .conflict)
    }
}
