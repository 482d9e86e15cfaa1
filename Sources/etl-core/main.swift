print("etl-core")
