package import Engine
import Foundation
import HTTP
import HashTreeCollections
package import Wire

/// The resources of Statuspage's management API v1, built on the v2 shapes (`StatuspagePublic`) with
/// the members v1 adds (`Tests/EndToEndTests/Schemas/statuspage-v1`). Fields statusd has no notion of (tweets,
/// postmortems, reminders, audiences) carry Statuspage's "nothing" (`null`, `false`, `{}`), so strict
/// clients find every member they expect.
extension StatuspagePublic {
    /// A service as a v1 component.
    package func v1Component(_ service: Service) -> JSONValue {
        component(service).merging(["automation_email": .null])
    }

    /// A group as the component Statuspage lists it as (`group: true`).
    package func v1GroupComponent(_ group: ServiceGroup) -> JSONValue {
        groupComponent(group, members: members(of: group.id)).merging(["automation_email": .null])
    }

    /// Every component in page order, groups among them, as v1's component list has them.
    package var v1Components: [JSONValue] {
        components(PageContent(state)).map { $0.merging(["automation_email": .null]) }
    }

    /// A group as a v1 component group.
    package func v1Group(_ group: ServiceGroup) -> JSONValue {
        [
            "id": .string(group.id.rawValue), "page_id": .string(state.id.rawValue), "name": .string(group.name),
            "description": group.description.isEmpty ? .null : .string(group.description),
            "components": .array(members(of: group.id).map { .string($0.id.rawValue) }),
            "position": .integer(group.position), "created_at": Self.date(group.createdAt),
            "updated_at": Self.date(group.updatedAt),
        ]
    }

    package func members(of group: GroupID) -> [Service] { state.orderedServices.filter { $0.groupID == group } }

    /// An incident as v1 has it.
    package func v1Incident(_ value: Incident) -> JSONValue {
        var extras = Self.v1Extras(scheduledFor: nil, scheduledUntil: nil, autoStart: false, autoComplete: false)
        extras["components"] = v1Components(value.affected.map(\.serviceID))
        return incident(value).merging(extras)
    }

    /// The components an incident or window affects, as v1 components.
    private func v1Components(_ ids: [ServiceID]) -> JSONValue {
        .array(ids.compactMap { state.services[$0] }.map(v1Component))
    }

    /// A maintenance window as the scheduled incident v1 has it.
    package func v1Maintenance(_ window: Maintenance) -> JSONValue {
        var extras = Self.v1Extras(
            scheduledFor: window.scheduledStart, scheduledUntil: window.scheduledEnd, autoStart: window.autoStart,
            autoComplete: window.autoComplete)
        extras["description"] = window.description.isEmpty ? .null : .string(window.description)
        extras["components"] = v1Components(window.affected)
        return maintenance(window).merging(extras)
    }

    private static func v1Extras(scheduledFor: Date?, scheduledUntil: Date?, autoStart: Bool, autoComplete: Bool)
        -> [String: JSONValue]
    {
        [
            "impact_override": .null, "metadata": [:], "reminder_intervals": .null,
            "scheduled_for": scheduledFor.map(date) ?? .null, "scheduled_until": scheduledUntil.map(date) ?? .null,
            "scheduled_remind_prior": false, "scheduled_reminded_at": .null,
            "scheduled_auto_in_progress": .bool(autoStart), "scheduled_auto_completed": .bool(autoComplete),
            "auto_transition_to_maintenance_state": .bool(autoStart),
            "auto_transition_to_operational_state": .bool(autoComplete),
            "auto_transition_deliver_notifications_at_start": false,
            "auto_transition_deliver_notifications_at_end": false, "postmortem_body": .null,
            "postmortem_body_last_updated_at": .null, "postmortem_ignored": false,
            "postmortem_notified_subscribers": false, "postmortem_notified_twitter": false,
            "postmortem_published_at": .null,
        ]
    }

    /// The organization as a v1 page.
    package var v1Page: JSONValue {
        let settings = state.settings
        let accent = settings.branding.accentColor.map { JSONValue.string($0) } ?? .null
        let subscriptions = state.subscriptionSettings
        return [
            "id": .string(state.id.rawValue), "created_at": Self.date(state.createdAt),
            "updated_at": Self.date(state.updatedAt), "name": .string(settings.name), "page_description": .null,
            "headline": .null, "branding": "basic", "subdomain": .string(settings.slug),
            "domain": settings.customDomain.map { .string($0) } ?? .null, "url": .string(pageURL),
            "support_url": .null, "hidden_from_search": false,
            "allow_page_subscribers": .bool(!subscriptions.channels.isEmpty),
            "allow_incident_subscribers": .bool(subscriptions.allowIncidentSubscribers),
            "allow_email_subscribers": .bool(subscriptions.channels.contains(.email)),
            "allow_sms_subscribers": .bool(subscriptions.channels.contains(.sms)), "allow_rss_atom_feeds": true,
            "allow_webhook_subscribers": .bool(subscriptions.channels.contains(.webhook)),
            "notifications_from_email": .null,
            "notifications_email_footer": .null, "activity_score": 0, "twitter_username": .null,
            "viewers_must_be_team_members": false, "ip_restrictions": .null, "city": .null, "state": .null,
            "country": .null, "time_zone": .string(settings.timeZone), "css_body_background_color": .null,
            "css_font_color": .null, "css_light_font_color": .null, "css_greens": .null, "css_yellows": .null,
            "css_oranges": .null, "css_blues": accent, "css_reds": .null, "css_border_color": .null,
            "css_graph_color": .null, "css_link_color": accent, "css_no_data": .null, "favicon_logo": .null,
            "transactional_logo": .null, "hero_cover": .null,
            "email_logo": .null, "twitter_logo": .null,
        ]
    }
}
