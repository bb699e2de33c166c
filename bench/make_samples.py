"""Writes the demo flows of samples/ (python bench/make_samples.py): one per case
of the demo directory, a lot, and a broken file."""
import io
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.generate import Spec, ubl, cii
out = Path(__file__).resolve().parents[1] / 'samples'
def w(name, data): (out/name).write_bytes(data)
w("01-ville-ubl.xml", ubl(Spec(number="DEMO-2026-0001", buyer_siret="21750001600019", lines=3)))
w("02-ministere-cii.xml", cii(Spec(number="DEMO-2026-0002", buyer_siret="11000201100044", service_code="FIN-01", lines=5)))
w("03-hopital-ubl.xml", ubl(Spec(number="DEMO-2026-0003", buyer_siret="26750045200011", engagement="EJ-2026-118", lines=2)))
w("04-avoir-ubl.xml", ubl(Spec(number="DEMO-2026-0004", buyer_siret="21750001600019", type_code="381", lines=1)))
w("05-service-manquant.xml", cii(Spec(number="DEMO-2026-0005", buyer_siret="11000201100044", lines=2)))
w("06-destinataire-inconnu.xml", ubl(Spec(number="DEMO-2026-0006", buyer_siret="12345678900017", lines=2)))
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("lot-a.xml", ubl(Spec(number="DEMO-2026-0007", buyer_siret="20005372300017", service_code="VOIRIE", lines=4)))
    z.writestr("lot-b.xml", cii(Spec(number="DEMO-2026-0008", buyer_siret="20005372300017", engagement="BC-77", lines=1)))
    z.writestr("lot-c.xml", cii(Spec(number="DEMO-2026-0009", buyer_siret="20005372300017", lines=1)))
w("07-lot.zip", buf.getvalue())
w("08-tronque.xml", ubl(Spec(number="DEMO-2026-0010", lines=2))[:900])
