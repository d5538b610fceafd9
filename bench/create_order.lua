-- wrk: open an A1-Ⅳ vehicle-damage order (routing, three SLA clocks,
-- responsible, audit, notifications and search index in one transaction).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"complaint":"vehicle_damage","summary":"洗车过程中车辆损伤，左前门划痕，客户要求赔偿"}'
