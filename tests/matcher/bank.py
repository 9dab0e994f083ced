"""A small answer bank written for the matcher tests (not the dev set): one entry per topic, with
deliberate near-duplicates (MFA for email / remote access / admins; encryption at rest / in transit /
of backups) so the tests can prove the matcher tells them apart."""

from __future__ import annotations

from matcher import BankItem


def item(key: str, question: str, answer: str = "", short: str | None = "Yes", *alternates: str) -> BankItem:
    return BankItem(key=key, question=question, answer=answer, short_answer=short, alternates=alternates)


BANK: tuple[BankItem, ...] = (
    item(
        "MFA-WORK",
        "Is multi-factor authentication required for all workforce applications?",
        "Every employee signs in through the identity provider with a second factor.",
    ),
    item(
        "MFA-MAIL",
        "Is multi-factor authentication enforced on corporate email accounts?",
        "Mailboxes in the office suite require a second factor for every sign-in.",
    ),
    item(
        "MFA-REMOTE",
        "Is multi-factor authentication required for remote network access, including vendors?",
        "The VPN gateway demands a second factor from staff and contractors.",
    ),
    item(
        "MFA-ADMIN",
        "Do privileged and administrative accounts require multi-factor authentication?",
        "Administrator accounts use hardware keys as the second factor.",
    ),
    item(
        "MFA-CUST",
        "Can customers enforce multi-factor authentication for users of the product?",
        "Tenant owners can require one-time codes for their end users.",
    ),
    item(
        "SSO-WORK",
        "Do employees sign in to business applications through single sign-on?",
        "A central identity provider federates every internal application.",
    ),
    item(
        "SSO-CUST",
        "Does the product support SAML or OpenID Connect single sign-on for customers?",
        "Customers can connect their own identity provider.",
    ),
    item(
        "SCIM",
        "Does the product support automated user provisioning and deprovisioning?",
        "A SCIM 2.0 endpoint creates and removes users.",
    ),
    item("ENC-REST", "Is customer data encrypted at rest?", "Databases and object storage use AES-256."),
    item(
        "ENC-TRANSIT",
        "Is customer data encrypted in transit over public networks?",
        "All public endpoints require TLS 1.2 or higher.",
    ),
    item("ENC-BACKUP", "Are backups encrypted?", "Backup snapshots are encrypted with separate keys."),
    item(
        "ENC-INTERNAL",
        "Is traffic between internal services encrypted and mutually authenticated?",
        "Microservices talk over mutual TLS inside the service mesh.",
    ),
    item("ENC-DISK", "Do company laptops use full-disk encryption?", "FileVault and BitLocker are enforced."),
    item(
        "EDR",
        "Is endpoint detection and response software installed on all laptops?",
        "An EDR agent runs on every workstation.",
    ),
    item(
        "SIEM",
        "Are security logs collected centrally and correlated for alerting?",
        "Logs flow to a SIEM where detection rules raise alerts.",
    ),
    item("DLP", "Do you use data loss prevention controls?", "Outbound email and uploads are inspected."),
    item(
        "BCP", "Do you maintain a business continuity plan?", "The plan is reviewed and exercised every year."
    ),
    item(
        "RTO",
        "What are your recovery time and recovery point objectives?",
        "Four hours to recover the service and fifteen minutes of data at most.",
        None,
    ),
    item(
        "PENTEST",
        "Does an independent firm perform a penetration test every year?",
        "A qualified outside firm tests the application and cloud accounts annually.",
    ),
    item(
        "SAST",
        "Is static analysis of source code performed before merge?",
        "Code scanning runs on every pull request.",
    ),
    item(
        "DAST",
        "Do you run dynamic application security testing against the running application?",
        "A scanner crawls the staging site each week.",
    ),
    item(
        "SDLC",
        "Do you follow a secure software development lifecycle?",
        "Threat modeling, review and testing are part of every release.",
    ),
    item(
        "BAA",
        "Will you sign a business associate agreement for protected health information?",
        "We sign BAAs with healthcare customers.",
    ),
    item(
        "PAM",
        "Is privileged access management used to vault and broker administrator credentials?",
        "Administrator passwords are vaulted and sessions are recorded.",
    ),
    item(
        "WAF",
        "Is a web application firewall deployed in front of the application?",
        "Managed rules block common web attacks.",
    ),
    item(
        "ZTNA",
        "Do staff reach internal tools through a zero trust network access service?",
        "Device posture and identity are checked per request.",
    ),
    item(
        "CSPM",
        "Do you continuously scan cloud accounts for misconfigurations?",
        "A cloud security posture tool checks every account.",
    ),
    item(
        "AD", "Do you run an on-premises Active Directory domain?", "There are no domain controllers.", "No"
    ),
    item("DFD", "Can you share a data flow diagram of the service?", "A diagram is shared under NDA."),
    item(
        "HA",
        "Is the service deployed across multiple availability zones for high availability?",
        "Every tier runs in three zones.",
    ),
    item("DPA", "Will you sign a data processing agreement?", "Our standard addendum covers Article 28."),
    item(
        "SCC",
        "What mechanism covers international transfers of personal data?",
        "Standard contractual clauses and the EU-US Data Privacy Framework.",
        None,
    ),
    item(
        "LLM",
        "Do your generative AI features send customer data to a third-party model provider?",
        "Prompts go to a hosted foundation model that keeps no data.",
        "No",
    ),
    item(
        "EO",
        "Do you carry technology errors and omissions insurance?",
        "We hold a professional liability policy.",
        "Yes",
    ),
    item(
        "BACKUP-IMMUTABLE",
        "Are backups immutable or kept offline, out of reach of production credentials?",
        "Backups sit in a locked vault in a separate account.",
    ),
    item(
        "BACKUP-RESTORE",
        "How often do you test restoring data from backups?",
        "Restores are tested every quarter.",
        None,
    ),
    item(
        "BACKUP-FREQ",
        "How often are backups taken and how long are they retained?",
        "Snapshots run daily and are kept for 35 days.",
        None,
    ),
)
