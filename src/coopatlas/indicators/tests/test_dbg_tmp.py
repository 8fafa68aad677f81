from coopatlas.indicators.tests.test_pages import *
def test_dbg(indicator_data):
    html = Client().get("/fr/indicators/3.2.1/").content.decode()
    print(re.findall(r"<h1>.*?</h1>", html, re.S), re.findall(r"<title>.*?</title>", html))
