"""Writes the demo flows of samples/ (python bench/make_samples.py): one per case
of the demo directory, a lot, a broken file, a Factur-X PDF and a plain PDF."""
import io
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.generate import Spec, cii, ubl
from bench.pdfs import facturx_pdf, text_pdf

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
w("09-facturx.pdf", facturx_pdf(cii(Spec(number="DEMO-2026-0011", buyer_siret="21750001600019", lines=2)),
                                ["Fournitures Démo SARL", "Facture DEMO-2026-0011"]))
w("10-pdf-simple.pdf", text_pdf(
    ["Fournitures Démo SARL", "SIRET : 356 000 000 00048", "", "FACTURE N° DEMO-2026-0012",
     "Date de facture : 09/11/2026", "", "Total HT : 250,00 €", "TVA 20 % : 50,00 €", "Total TTC : 300,00 €"],
    columns=[["Destinataire", "Ville de Démo", "SIRET 21750001600019"]],
))
