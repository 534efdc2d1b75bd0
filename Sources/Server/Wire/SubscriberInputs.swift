package import Engine

/// `POST /api/subscribers`: a subscriber an admin adds.
package struct SubscriberInput: Decodable {
    package let channel: SubscriberChannel
    package let address: String
    package let contactEmail: String?
    package let components: [ServiceID]
    package let incident: IncidentID?
    /// Active at once, without a confirmation mail (Statuspage's `skip_confirmation_notification`);
    /// webhooks and chat have nothing to confirm and are always active.
    package let skipConfirmation: Bool
    /// Sign the webhook's requests with a secret statusd makes and shows once.
    package let sign: Bool

    package init(from decoder: any Decoder) throws {
        let input = try decoder.container(keyedBy: InputKey.self)
        channel = try input.parsed(
            "type", try input.required(String.self, "type", "mode"), choices: choices(SubscriberChannel.self),
            { SubscriberChannel(rawValue: $0.lowercased()) })
        let field =
            switch channel {
            case .email: "email"
            case .sms: "phone_number"
            case .webhook, .slack, .teams, .discord: "endpoint"
            }
        address = try input.required(String.self, field, field == "endpoint" ? "url" : field)
        contactEmail = try input.value(String.self, "contact_email")
        components = try (input.value([String].self, "component_ids") ?? []).map {
            try input.id("component_ids", $0, as: ServiceID.self)
        }
        incident = try input.value(String.self, "incident_id").map {
            try input.id("incident_id", $0, as: IncidentID.self)
        }
        skipConfirmation = try input.value(Bool.self, "skip_confirmation_notification") ?? false
        sign = try input.value(Bool.self, "sign") ?? false
    }
}

/// `PUT /api/subscribers/{id}`: the components a subscriber follows.
package struct SubscriberComponentsInput: Decodable {
    package let components: [ServiceID]

    package init(from decoder: any Decoder) throws {
        let input = try decoder.container(keyedBy: InputKey.self)
        components = try input.required([String].self, "component_ids").map {
            try input.id("component_ids", $0, as: ServiceID.self)
        }
    }
}

/// `PUT /api/subscription-settings`: fields left out keep their value.
package struct SubscriptionSettingsInput: Decodable {
    package let channels: Set<SubscriberChannel>?
    package let allowIncidentSubscribers: Bool?
    package let allowComponentSubscribers: Bool?

    package init(from decoder: any Decoder) throws {
        let input = try decoder.container(keyedBy: InputKey.self)
        channels = try input.value([String].self, "types").map { names in
            Set(
                try names.map {
                    try input.parsed(
                        "types", $0, choices: choices(SubscriberChannel.self),
                        { SubscriberChannel(rawValue: $0.lowercased()) })
                })
        }
        allowIncidentSubscribers = try input.value(Bool.self, "allow_incident_subscribers")
        allowComponentSubscribers = try input.value(Bool.self, "allow_component_subscribers")
    }

    package func applied(to settings: SubscriptionSettings) -> SubscriptionSettings {
        SubscriptionSettings(
            channels: channels ?? settings.channels,
            allowIncidentSubscribers: allowIncidentSubscribers ?? settings.allowIncidentSubscribers,
            allowComponentSubscribers: allowComponentSubscribers ?? settings.allowComponentSubscribers)
    }
}
