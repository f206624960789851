from ninja import NinjaAPI

api = NinjaAPI(title="Cobranza API", version="1.0")
