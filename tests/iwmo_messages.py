"""Small iWmo 3.2 messages for tests, written out in full so a reader sees what is sent.

``wmo323`` builds a declaration of one month with the clients and lines given; amounts default to
volume × tariff and the total to their sum, so a test breaks exactly the one thing it is about.
``wmo301`` builds a toewijzing message for one client.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BASIS = "http://www.istandaarden.nl/iwmo/3_2/basisschema/schema"


@dataclass
class Line:
    reference: str
    toewijzing_nummer: int = 1001
    category: str = "02"
    code: str = "02A16"
    begin: str = "2026-10-01"
    end: str = "2026-10-31"
    volume: int = 60
    unit: str = "01"
    tariff: int | None = 150  # cents per unit
    amount: int | None = None  # cents; None = volume × tariff
    credit: bool = False
    previous: str | None = None

    @property
    def cents(self) -> int:
        return self.amount if self.amount is not None else self.volume * (self.tariff or 0)


@dataclass
class Client:
    bsn: str
    lines: list[Line] = field(default_factory=list)


def wmo323(clients: list[Client], *, sender: str = "11111111", receiver: str = "0200",
           identificatie: str = "D0001", nummer: str = "DEC0001", month: str = "2026-10",
           last_day: str = "31", dagtekening: str = "2026-11-02",
           total: int | None = None) -> bytes:
    lines = [line for client in clients for line in client.lines]
    if total is None:
        total = sum(-line.cents if line.credit else line.cents for line in lines)
    body = "".join(_client(client) for client in clients)
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<wmo323:Bericht xmlns:iwmo="{BASIS}" xmlns:wmo323="http://www.istandaarden.nl/iwmo/3_2/wmo323/schema">
  <wmo323:Header>
    <wmo323:BerichtCode>484</wmo323:BerichtCode>
    <wmo323:BerichtVersie>3</wmo323:BerichtVersie>
    <wmo323:BerichtSubversie>2</wmo323:BerichtSubversie>
    <wmo323:Afzender>{sender}</wmo323:Afzender>
    <wmo323:Ontvanger>{receiver}</wmo323:Ontvanger>
    <wmo323:BerichtIdentificatie>
      <iwmo:Identificatie>{identificatie}</iwmo:Identificatie>
      <iwmo:Dagtekening>{dagtekening}</iwmo:Dagtekening>
    </wmo323:BerichtIdentificatie>
    <wmo323:XsdVersie>
      <iwmo:BasisschemaXsdVersie>1.0.0</iwmo:BasisschemaXsdVersie>
      <iwmo:BerichtXsdVersie>1.0.0</iwmo:BerichtXsdVersie>
    </wmo323:XsdVersie>
  </wmo323:Header>
  <wmo323:Declaratie>
    <wmo323:DeclaratieNummer>{nummer}</wmo323:DeclaratieNummer>
    <wmo323:DeclaratiePeriode>
      <iwmo:Begindatum>{month}-01</iwmo:Begindatum>
      <iwmo:Einddatum>{month}-{last_day}</iwmo:Einddatum>
    </wmo323:DeclaratiePeriode>
    <wmo323:DeclaratieDagtekening>{dagtekening}</wmo323:DeclaratieDagtekening>
    <wmo323:TotaalIngediendBedrag>
      <iwmo:TotaalBedrag>{abs(total)}</iwmo:TotaalBedrag>
      <iwmo:DebetCredit>{"C" if total < 0 else "D"}</iwmo:DebetCredit>
    </wmo323:TotaalIngediendBedrag>
    <wmo323:Clienten>{body}
    </wmo323:Clienten>
  </wmo323:Declaratie>
</wmo323:Bericht>
"""
    return text.replace("\n", "\r\n").encode("utf-8")


def _client(client: Client) -> str:
    lines = "".join(_line(line) for line in client.lines)
    return f"""
      <wmo323:Client>
        <wmo323:Bsn>{client.bsn}</wmo323:Bsn>
        <wmo323:Prestaties>{lines}
        </wmo323:Prestaties>
      </wmo323:Client>"""


def _line(line: Line) -> str:
    previous = (f"\n              <iwmo:VorigReferentieNummer>{line.previous}"
                f"</iwmo:VorigReferentieNummer>" if line.previous else "")
    tariff = (f"\n            <wmo323:ProductTarief>{line.tariff}</wmo323:ProductTarief>"
              if line.tariff is not None else "")
    return f"""
          <wmo323:Prestatie>
            <wmo323:ProductReferentie>
              <iwmo:ReferentieNummer>{line.reference}</iwmo:ReferentieNummer>{previous}
            </wmo323:ProductReferentie>
            <wmo323:ToewijzingNummer>{line.toewijzing_nummer}</wmo323:ToewijzingNummer>
            <wmo323:ProductCategorie>{line.category}</wmo323:ProductCategorie>
            <wmo323:ProductCode>{line.code}</wmo323:ProductCode>
            <wmo323:ProductPeriode>
              <iwmo:Begindatum>{line.begin}</iwmo:Begindatum>
              <iwmo:Einddatum>{line.end}</iwmo:Einddatum>
            </wmo323:ProductPeriode>
            <wmo323:GeleverdVolume>{line.volume}</wmo323:GeleverdVolume>
            <wmo323:Eenheid>{line.unit}</wmo323:Eenheid>{tariff}
            <wmo323:IngediendBedrag>
              <iwmo:Bedrag>{line.cents}</iwmo:Bedrag>
              <iwmo:DebetCredit>{"C" if line.credit else "D"}</iwmo:DebetCredit>
            </wmo323:IngediendBedrag>
          </wmo323:Prestatie>"""


@dataclass
class Product:
    nummer: int
    code: str | None = "02A16"
    category: str | None = "02"
    begin: str = "2026-01-01"
    end: str | None = "2026-12-31"
    volume: int | None = 40
    unit: str = "04"
    frequency: str = "6"
    reden_wijziging: str | None = None


def wmo301(products: list[Product], *, sender: str = "0200", receiver: str = "11111111",
           identificatie: str = "T0001", bsn: str = "999900043", achternaam: str = "Bakker",
           dagtekening: str = "2026-11-02") -> bytes:
    body = "".join(_product(product, dagtekening) for product in products)
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<wmo301:Bericht xmlns:iwmo="{BASIS}" xmlns:wmo301="http://www.istandaarden.nl/iwmo/3_2/wmo301/schema">
  <wmo301:Header>
    <wmo301:BerichtCode>414</wmo301:BerichtCode>
    <wmo301:BerichtVersie>3</wmo301:BerichtVersie>
    <wmo301:BerichtSubversie>2</wmo301:BerichtSubversie>
    <wmo301:Afzender>{sender}</wmo301:Afzender>
    <wmo301:Ontvanger>{receiver}</wmo301:Ontvanger>
    <wmo301:BerichtIdentificatie>
      <iwmo:Identificatie>{identificatie}</iwmo:Identificatie>
      <iwmo:Dagtekening>{dagtekening}</iwmo:Dagtekening>
    </wmo301:BerichtIdentificatie>
    <wmo301:XsdVersie>
      <iwmo:BasisschemaXsdVersie>1.0.0</iwmo:BasisschemaXsdVersie>
      <iwmo:BerichtXsdVersie>1.0.0</iwmo:BerichtXsdVersie>
    </wmo301:XsdVersie>
  </wmo301:Header>
  <wmo301:Client>
    <wmo301:Bsn>{bsn}</wmo301:Bsn>
    <wmo301:Geboortedatum>
      <iwmo:Datum>1950-03-04</iwmo:Datum>
    </wmo301:Geboortedatum>
    <wmo301:Geslacht>2</wmo301:Geslacht>
    <wmo301:Naam>
      <iwmo:Geslachtsnaam>
        <iwmo:Achternaam>{achternaam}</iwmo:Achternaam>
      </iwmo:Geslachtsnaam>
      <iwmo:Voorletters>M</iwmo:Voorletters>
      <iwmo:NaamGebruik>1</iwmo:NaamGebruik>
    </wmo301:Naam>
    <wmo301:Contactgegevens>
      <wmo301:Contact>
        <wmo301:Soort>01</wmo301:Soort>
        <wmo301:Adres>
          <iwmo:Huis>
            <iwmo:Huisnummer>1</iwmo:Huisnummer>
          </iwmo:Huis>
          <iwmo:Postcode>7311AA</iwmo:Postcode>
          <iwmo:Straatnaam>Marktplein</iwmo:Straatnaam>
          <iwmo:Plaatsnaam>Apeldoorn</iwmo:Plaatsnaam>
          <iwmo:LandCode>NL</iwmo:LandCode>
        </wmo301:Adres>
      </wmo301:Contact>
    </wmo301:Contactgegevens>
    <wmo301:ToegewezenProducten>{body}
    </wmo301:ToegewezenProducten>
  </wmo301:Client>
</wmo301:Bericht>
"""
    return text.replace("\n", "\r\n").encode("utf-8")


def _product(product: Product, dagtekening: str) -> str:
    code = (f"\n          <iwmo:Code>{product.code}</iwmo:Code>" if product.code else "")
    product_element = (f"""
        <wmo301:Product>
          <iwmo:Categorie>{product.category}</iwmo:Categorie>{code}
        </wmo301:Product>""" if product.category else "")
    end = f"\n        <wmo301:Einddatum>{product.end}</wmo301:Einddatum>" if product.end else ""
    reden = (f"\n        <wmo301:RedenWijziging>{product.reden_wijziging}</wmo301:RedenWijziging>"
             if product.reden_wijziging else "")
    omvang = (f"""
        <wmo301:Omvang>
          <iwmo:Volume>{product.volume}</iwmo:Volume>
          <iwmo:Eenheid>{product.unit}</iwmo:Eenheid>
          <iwmo:Frequentie>{product.frequency}</iwmo:Frequentie>
        </wmo301:Omvang>""" if product.volume is not None else "")
    return f"""
      <wmo301:ToegewezenProduct>
        <wmo301:ToewijzingNummer>{product.nummer}</wmo301:ToewijzingNummer>{product_element}
        <wmo301:Toewijzingsdatum>{dagtekening}</wmo301:Toewijzingsdatum>
        <wmo301:Toewijzingstijd>09:00:00</wmo301:Toewijzingstijd>
        <wmo301:Ingangsdatum>{product.begin}</wmo301:Ingangsdatum>{end}{reden}{omvang}
      </wmo301:ToegewezenProduct>"""
