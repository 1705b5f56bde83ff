-- wrk: POST the same JSON body the Locust users send.
wrk.method = "POST"
wrk.body = '{"username": "bench", "password": "bench-pass"}'
wrk.headers["Content-Type"] = "application/json"
