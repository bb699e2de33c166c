"""Isolation, as a property: whatever mix of senders, suppliers, recipients,
lots and status files comes in, an invoice reaches only its recipient's
mailbox, a report only the partner that sent the flow, a forwarded status only
the partner that deposited the invoice, and a sender delivers only for the
suppliers it may deposit for."""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from helpers import Spec, cii, ubl
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree
from test_lifecycle import recipient_status

from facteur.adapters import configuration
from facteur.adapters.mailbox import Archive, Mailboxes
from facteur.adapters.sqlite_ledger import SqliteLedger
from facteur.engine.model import Flow
from facteur.engine.runtime.runner import Runner

DEMO_SUPPLIER, OTHER_SUPPLIER = "35600000000048", "44306184100047"
BUYERS = ["21750001600019", "11000201100044", "26750045200011", "20005372300017", "19750000100014", "12345678900017"]
SENDERS = ["DEMO01", "FOURN01", "VILLEDEM", "INCONNU"]  # any supplier; the demo supplier only; a recipient; unknown


invoice = st.fixed_dictionaries(
    {
        "buyer": st.sampled_from(BUYERS),
        "supplier": st.sampled_from([DEMO_SUPPLIER, OTHER_SUPPLIER]),
        "syntax": st.sampled_from(["ubl", "cii"]),
        "service": st.sampled_from(["", "FIN-01", "VOIRIE", "ANCIEN"]),
        "engagement": st.sampled_from(["", "EJ-1"]),
    }
)
flow = st.fixed_dictionaries(
    {"sender": st.sampled_from(SENDERS), "invoices": st.lists(invoice, min_size=1, max_size=3), "lot": st.booleans()}
)
status_sender = st.sampled_from(["VILLEDEM", "MINDEMO", "CHDEMO", "CCDEMO", "DEMO01"])


def content_of(flow_index: int, spec: dict, position: int) -> bytes:
    maker = ubl if spec["syntax"] == "ubl" else cii
    return maker(
        Spec(
            f"ISO-{flow_index}-{position}",
            buyer_siret=spec["buyer"],
            supplier_siret=spec["supplier"],
            service_code=spec["service"],
            engagement=spec["engagement"],
        )
    )


def as_flow(index: int, drawn: dict, received: datetime) -> Flow:
    documents = [content_of(index, spec, n) for n, spec in enumerate(drawn["invoices"])]
    if drawn["lot"] or len(documents) > 1:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for n, document in enumerate(documents):
                archive.writestr(f"doc-{n}.xml", document)
        return Flow(buffer.getvalue(), drawn["sender"], f"lot-{index}.zip", received)
    return Flow(documents[0], drawn["sender"], f"flow-{index}.xml", received)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows=st.lists(flow, min_size=1, max_size=6), acknowledgers=st.lists(status_sender, min_size=1, max_size=4))
def test_outputs_only_ever_reach_the_partner_they_belong_to(flows, acknowledgers):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        config = configuration.load(root=str(root))
        directory = configuration.load_directory(config)
        ledger = SqliteLedger(config.ledger)
        runner = Runner(configuration.context(config, ledger.known_invoice), ledger,
                        Archive(config.archive), Mailboxes(config.outbox))
        received = datetime.now(timezone.utc) - timedelta(minutes=1)
        handled = [runner.handle(as_flow(i, drawn, received)) for i, drawn in enumerate(flows)]
        senders = {h.flow_id: drawn["sender"] for h, drawn in zip(handled, flows)}

        # Every recipient drawn acknowledges every flow and marks service done on every invoice.
        now = datetime.now(timezone(timedelta(hours=1))).replace(microsecond=0)
        for n, recipient in enumerate(acknowledgers):
            for content in (
                recipient_status(recipient, flows=[("92", now, h.flow_id, "") for h in handled]),
                recipient_status(recipient, invoices=[("07", now, f"ISO-{i}-{p}", None, "")
                                                      for i, drawn in enumerate(flows) for p in range(len(drawn["invoices"]))]),
            ):
                runner.handle(Flow(content, recipient, f"status-{n}.xml", datetime.now(timezone.utc)))

        delivered = {}
        for record in ledger.invoices():
            delivered[(record.flow_id, record.index)] = record
            sender = directory.senders[record.depositor]
            assert sender.may_deposit_for(record.invoice.supplier.identifier)
            structure = directory.structures[record.invoice.buyer.identifier]
            assert structure.active and record.mailbox == structure.mailbox
        for path in (root / "outbox").rglob("*"):
            if not path.is_file():
                continue
            mailbox, name = path.parent.name, path.name
            origin = name.split(".")[0]
            if name.endswith(".pivot.xml"):
                flow_id, index = origin.rsplit("-", 1)
                record = delivered[(flow_id, int(index))]
                assert mailbox == record.mailbox
                assert etree.parse(str(path)).getroot().findtext(".//Debiteur/Identifiant") == record.invoice.buyer.identifier
            elif name.endswith(".suivi.statut.xml"):
                for unit in etree.parse(str(path)).getroot().iter("CPPFactureStatutUnitaire"):
                    number = unit.findtext("DonneesStatut/IdFacture")
                    [record] = [r for r in delivered.values() if r.invoice.number == number]
                    assert mailbox == record.depositor
            else:
                status_flow = ledger.find(origin)
                assert status_flow is not None and mailbox == status_flow.sender, path
        assert all(senders[h.flow_id] == ledger.find(h.flow_id).sender for h in handled)
        event(f"pivots delivered: {min(len(delivered), 3)}+")
        event(f"statuses forwarded: {any((root / 'outbox').rglob('*.suivi.statut.xml'))}")
        ledger.close()
