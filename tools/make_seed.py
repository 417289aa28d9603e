#!/usr/bin/env python3
"""Writes fixtures/seed-2024-h1.json: the facts of report 180/BC-STTTT
(Sở Thông tin và Truyền thông tỉnh Bắc Giang, 11/06/2024) in canhgiac's
import format. Run from the repository root; the output is committed.

Deterministic: the same script always writes the same bytes."""

import json
import random
import unicodedata

rng = random.Random(180)
AGENCY = "stttt-bacgiang"

def nfc(s):
    return unicodedata.normalize("NFC", s)

notes = [
    "Dữ liệu mẫu dựng từ Báo cáo số 180/BC-STTTT ngày 11/6/2024 của Sở Thông tin và Truyền thông tỉnh Bắc Giang.",
    "Người và tài khoản cá nhân trong báo cáo gốc được thay bằng tên giữ chỗ (Nguyễn Thị A, @taikhoan_a…); cơ quan, đơn vị, tên chương trình, tiêu đề tin bài và mọi số liệu giữ nguyên.",
    "Chú thích (1) của báo cáo gốc liệt kê 06 văn bản chỉ đạo trong khi câu văn ghi «05 văn bản»; dữ liệu mẫu ghi đủ 06 văn bản, nên báo cáo tính từ dữ liệu sẽ ghi 06.",
    "Báo cáo gốc không nêu số hiệu, ngày ban hành của các văn bản chỉ đạo, số và ngày của quyết định xử phạt, tên các đối tượng thanh tra, kiểm tra: các giá trị đó trong dữ liệu mẫu là giá trị minh họa.",
    "Các tin, bài không in nghiêng trong báo cáo gốc được sinh tự động (source = import, featured = false) để số lượng khớp với báo cáo: phòng, chống tội phạm gần 100 tin, bài; Đài PT-TH gần 70 tin, bài và Báo Bắc Giang 50 tin, bài, ảnh về phòng, chống ma túy.",
    "Tên chuyên trang, chuyên mục, chương trình in nghiêng được lưu là chuyên trang/chuyên mục; tên các phong trào và Đề án in nghiêng thuộc phần tường thuật của mẫu báo cáo.",
    "Danh mục căn cứ pháp lý mẫu gồm Khoản 7 Điều 34 Nghị định số 174/2026/NĐ-CP về SIM rác (từ ngày 01/7/2026), Khoản 1 Điều 101 Nghị định số 15/2020/NĐ-CP mà báo cáo gốc viện dẫn (hai mức phạt 7,5 triệu đồng của báo cáo là mức trung bình của khung 5–10 triệu đồng đối với cá nhân) và Khoản 1, 2 Điều 95 Nghị định số 174/2026/NĐ-CP thay thế từ ngày 01/7/2026; nội dung sửa đổi của Nghị định 14/2022 và 211/2025 chưa được đối chiếu.",
    "Dữ liệu viễn thông là dữ liệu minh họa, không có trong báo cáo gốc: các doanh nghiệp viễn thông, các đợt tin nhắn tuyên truyền, báo cáo rác viễn thông hằng tháng (năm 2023 và 6 tháng đầu năm 2024), 200 trạm BTS cùng giấy phép tần số và giấy chứng nhận kiểm định, số SIM sai thông tin phát hiện tại cuộc kiểm tra KT-2024-01 (cuộc kiểm tra này và quyết định xử phạt 03/QĐ-XPHC đã có trong dữ liệu mẫu) và cuộc kiểm tra trạm BTS KT-2024-05 (tháng 7/2024, ngoài kỳ báo cáo).",
    "Các nguồn tin tự động (RSS của Báo Bắc Giang Điện tử, trang tin của Cổng thông tin điện tử tỉnh) là địa chỉ minh họa, để ở trạng thái không theo dõi: bật «Đang theo dõi» sau khi kiểm tra địa chỉ thật.",
    "Quyết định xử phạt 7,5 triệu đồng của Công an thành phố Bắc Giang (vụ việc VV-2024-03) là của cơ quan khác (issued_by_agency = false), không tính vào 06 đối tượng bị Sở xử phạt với tổng số tiền 19,5 triệu đồng.",
]

agency = {
    "code": AGENCY,
    "names": [{
        "name": "Sở Thông tin và Truyền thông",
        "short_name": "Sở TT&TT",
        "parent_name": "UBND tỉnh Bắc Giang",
        "symbol": "STTTT",
        "place": "Bắc Giang",
    }],
    "signer": {"authority": "kt", "head_title": "Giám đốc", "position": "Phó Giám đốc", "full_name": "Ngô Đình Tiến"},
    "recipients": ["Công an tỉnh (congan_tm@bacgiang.gov.vn)", "Lãnh đạo Sở", "Phòng TTBCXB, VP", "Lưu VT"],
    "period_rule": "national",
    "heading_case": "sentence",
    "drafting_unit": "TTBCXB",
}

users = [
    {"username": "chuyenvien", "full_name": "Nguyễn Thị H", "role": "editor", "active": True},
    {"username": "lanhdao", "full_name": "Trần Văn K", "role": "viewer", "active": True},
]

topics = [
    {"code": "PCTP", "name": "Công tác phòng, chống tội phạm", "short_name": "phòng, chống tội phạm", "ordinal": 1},
    {"code": "PCMT", "name": "Công tác phòng, chống ma túy", "short_name": "phòng, chống ma túy", "ordinal": 2},
    {"code": "PCMBN", "name": "Công tác tuyên truyền phòng, chống mua bán Người", "short_name": "phòng, chống mua bán người", "ordinal": 3},
]

BBG, BBGDT, DAI, TTCS = "bao-bac-giang", "bao-bac-giang-dien-tu", "dai-ptth-bac-giang", "ttcs-bac-giang"
outlets = [
    {"code": BBG, "name": "Báo Bắc Giang", "kind": "print", "level": "province", "active": True},
    {"code": BBGDT, "name": "Báo Bắc Giang Điện tử", "kind": "online", "level": "province", "parent": BBG,
     "website": "https://baobacgiang.vn", "active": True},
    {"code": DAI, "name": "Đài Phát thanh và Truyền hình tỉnh Bắc Giang", "kind": "radio_television", "level": "province", "active": True},
    {"code": TTCS, "name": "Hệ thống Đài truyền thanh cơ sở", "kind": "grassroots", "level": "district", "active": True},
]

sources = [
    {"outlet": BBGDT, "kind": "feed", "url": "https://baobacgiang.vn/rss/phap-luat.rss", "item_kind": "news",
     "fetch_articles": True, "active": False, "note": "Địa chỉ minh họa"},
    {"outlet": DAI, "kind": "page", "url": "https://bgtv.vn/tin-tuc/phap-luat", "item_kind": "news",
     "link_selector": "h3 a", "date_selector": ".time", "fetch_articles": True, "active": False,
     "note": "Địa chỉ minh họa"},
]

def prog(code, outlet, name, kind, topics, **kw):
    p = {"code": code, "outlet": outlet, "name": name, "kind": kind, "topics": topics}
    p.update(kw)
    return p

programmes = [
    prog("bbg-trang-antt", BBG, "Chuyên trang về an ninh trật tự", "page", ["PCTP"]),
    prog("bbg-van-hoa-xa-hoi", BBG, "Văn hóa- xã hội", "page", ["PCTP", "PCMT"]),
    prog("bbg-song-tre", BBG, "Sống trẻ", "page", ["PCTP", "PCMT"]),
    prog("bbg-doi-song-phap-luat", BBG, "Đời sống Pháp luật", "page", ["PCTP", "PCMT"]),
    prog("bbg-phap-luat-cuoc-song", BBG, "Pháp luật và cuộc sống", "page", ["PCTP", "PCMT"]),
    prog("bbg-an-ninh-trat-tu", BBG, "An ninh - trật tự", "column", ["PCTP", "PCMT"]),
    prog("bbg-cau-chuyen-phap-luat", BBG, "Câu chuyện pháp luật", "column", ["PCTP", "PCMT"]),
    prog("bbg-hoi-dap-pctp", BBG, "Hỏi đáp về công tác phòng chống tội phạm", "column", ["PCTP"],
         co_producer="Sở Tư pháp"),
    prog("ptth-vi-an-ninh-to-quoc", DAI, "Vì an ninh Tổ Quốc", "column", ["PCTP"]),
    prog("ptth-phap-luat-doi-song", DAI, "Pháp luật và đời sống", "column", ["PCTP", "PCMT"]),
    prog("ptth-truyen-hinh-an-ninh", DAI, "Truyền hình An ninh Bắc Giang", "show", ["PCTP", "PCMT"],
         cadence={"count": 1, "per": "week"}, duration_minutes=15, co_producer="Công an tỉnh Bắc Giang",
         note="Báo cáo gốc: «phát sóng định kỳ 01 chuyên mục/tuần, thời lượng 15 phút/1 chuyên mục»."),
]

PCTP_FEATURED = [
    "Lục Ngạn: Tam giữ các đối tượng đánh bạc tại nhà văn hóa thôn",
    "Chung sức chuyển hóa địa bàn phức tạp",
    "Rao bán “Xe máy giá rẻ” trên mạng xã hội để chiếm đoạt tài sản",
    "Kinh doanh hàng gia dụng không rõ nguồn gốc, một hộ ở TP Bắc Giang bị xử phạt 15 triệu đồng",
    "Xứng danh lực lượng cơ động, phản ứng nhanh",
    "Góp tiền mua ma túy về bán, 2 đối tượng nhận án chung thân",
    "Phối hợp chặt chẽ trong vận động quần chúng tham gia bảo vệ ANTT",
    "Tích cực phòng ngừa, đấu tranh với tội phạm trộm cắp tài sản",
    "Xây dựng doanh nghiệp “An toàn về an ninh trật tự",
    "Vụ đánh bạc nghìn tỷ qua ví điện tử: Ba sinh viên được hưởng án treo",
    "Bắc Giang: Thu giữ lượng lớn hàng hoá nghi nhập lậu",
    "Lực lượng bảo vệ ANTT ở cơ sở: “Cánh tay nối dài” của công an cấp xã",
]

PCMT_DAI_FEATURED = [
    "Lạng Giang: Bắt giữ 01 đối tượng có hành vi tàng trữ trái phép chất ma túy",
    "Lục Ngạn: Khởi tố các đối tượng có hành vi Mua bán trái phép chất ma túy",
    "Hợp Ban Chỉ đạo xây dựng Chương trình mục tiêu quốc gia phòng, chống, nâng cao hiệu quả cai nghiện ma túy",
    "Yên Dũng: Khởi tố nhóm đối tượng Tổ chức sử dụng trái phép chất ma túy",
    "Sơn Động: Liên tiếp bắt giữ các đối tượng Tổ chức sử dụng trái phép chất ma túy",
    "Tuyên truyền tác hại của chất ma túy trong Đoàn thanh niên",
    "Chủ động điều trị bằng thuốc thay thế cho người nghiện ma túy",
    "Lạng Giang: Khởi tố đối tượng tàng trữ trái phép chất ma túy",
    "Tháng hành động phòng, chống ma túy: Chung tay xây dựng xã, phường, thị trấn sạch ma túy",
    "Hưởng ứng tháng hành động phòng, chống ma túy năm 2024",
    "Xét xử các bị cáo về tội “Mua bán trái phép chất ma túy”",
]

PCMT_BBG_FEATURED = [
    "Triển khai đồng bộ các giải pháp phòng, chống ma túy",
    "Phòng, chống ma túy qua ứng dụng VNeID",
    "Yên Thế: Bắt quả tang 4 đối tượng tàng trữ trái phép chất ma túy",
    "Lục Ngạn: Khởi tố 3 đối tượng mua bán trái phép ma túy",
    "Bắc Giang: Bắt đối tượng mua bán trái phép ma túy",
    "Thị xã Việt Yên: Bắt quả tang đối tượng tàng trữ chất ma túy",
    "Yên Dũng: Tổ chức sử dụng trái phép ma túy tại nhà riêng, một đối tượng bị khởi tố",
    "Truy nã đối tượng tổ chức sử dụng ma túy đặc biệt nguy hiểm",
    "Lạng Giang: Bắt 2 đối tượng tàng trữ trái phép chất ma túy",
    "Thị xã Việt Yên: Bắt 4 đối tượng mua bán ma túy",
    "Lạng Giang: Bắt đối tượng tàng trữ trái phép chất ma túy",
    "Phòng ngừa ma túy ở ven khu, cụm công nghiệp",
]

PLACES = ["Lục Ngạn", "Lạng Giang", "Yên Dũng", "Sơn Động", "Yên Thế", "Thị xã Việt Yên", "Tân Yên",
          "Hiệp Hòa", "Lục Nam", "TP Bắc Giang", "Thị xã Chũ"]

GENERATED = {
    "PCTP": [
        "{p}: Ra quân tấn công, trấn áp tội phạm dịp đầu năm",
        "{p}: Bắt giữ đối tượng trộm cắp tài sản",
        "{p}: Triệt xóa tụ điểm đánh bạc",
        "{p}: Nâng cao hiệu quả mô hình tổ tự quản về an ninh trật tự",
        "{p}: Tuyên truyền pháp luật cho người dân vùng sâu",
        "{p}: Cảnh giác với thủ đoạn lừa đảo qua điện thoại",
        "{p}: Khởi tố vụ cố ý gây thương tích",
        "{p}: Phát huy vai trò lực lượng bảo vệ an ninh trật tự ở cơ sở",
        "{p}: Xử lý nghiêm hành vi cho vay lãi nặng",
        "{p}: Đảm bảo an ninh trật tự tại các lễ hội xuân",
    ],
    "PCMT": [
        "{p}: Bắt quả tang đối tượng tàng trữ trái phép chất ma túy",
        "{p}: Tuyên truyền phòng, chống ma túy trong trường học",
        "{p}: Quản lý người sử dụng trái phép chất ma túy tại cộng đồng",
        "{p}: Xây dựng xã, thị trấn không có tệ nạn ma túy",
        "{p}: Khởi tố đối tượng mua bán trái phép chất ma túy",
        "{p}: Hỗ trợ người sau cai nghiện tái hòa nhập cộng đồng",
        "{p}: Ra quân hưởng ứng Tháng hành động phòng, chống ma túy",
    ],
    "PCMBN": [
        "{p}: Nâng cao nhận thức phòng, chống mua bán người cho đoàn viên, thanh niên",
        "{p}: Cảnh giác với thủ đoạn tuyển dụng «việc nhẹ lương cao»",
        "{p}: Hỗ trợ nạn nhân bị mua bán trở về tái hòa nhập cộng đồng",
        "{p}: Tuyên truyền phòng, chống mua bán người ở vùng đồng bào dân tộc thiểu số",
    ],
}

def day(lo=(1, 2), hi=(6, 10)):
    import datetime
    a = datetime.date(2024, *lo)
    b = datetime.date(2024, *hi)
    return (a + datetime.timedelta(days=rng.randrange((b - a).days + 1))).isoformat()

items = []
used = set()

def item(outlet, title, topic, kind, featured=False, programme=None, source="manual"):
    d = day()
    while (outlet, d, title) in used:
        d = day()
    used.add((outlet, d, title))
    it = {"outlet": outlet, "kind": kind, "title": nfc(title), "published_on": d, "topics": [topic],
          "featured": featured, "source": source}
    if programme:
        it["programme"] = programme
    items.append(it)

def generated(outlet, topic, n, kinds, programmes=()):
    templates = GENERATED[topic]
    combos = [(t, p) for t in templates for p in PLACES]
    rng.shuffle(combos)
    for t, p in combos[:n]:
        prog_code = rng.choice(programmes) if programmes and rng.random() < 0.5 else None
        item(outlet, t.format(p=p), topic, rng.choice(kinds), programme=prog_code, source="import")

BBG_PAGES = ["bbg-trang-antt", "bbg-doi-song-phap-luat", "bbg-phap-luat-cuoc-song", "bbg-an-ninh-trat-tu",
             "bbg-cau-chuyen-phap-luat"]
DAI_PROGS = ["ptth-vi-an-ninh-to-quoc", "ptth-phap-luat-doi-song", "ptth-truyen-hinh-an-ninh"]

# 1.1 PCTP: "gần 100 tin, bài" = 96 across the province's press and the grassroots network.
for t in PCTP_FEATURED:
    item(BBGDT, t, "PCTP", "article", featured=True)
generated(BBGDT, "PCTP", 22, ["news", "article"], BBG_PAGES)   # 34 on the e-paper
generated(BBG, "PCTP", 20, ["news", "article", "photo"], BBG_PAGES)
generated(DAI, "PCTP", 30, ["news", "report"], DAI_PROGS)
generated(TTCS, "PCTP", 10, ["broadcast"])
# 1.2 PCMT: Đài "gần 70 tin, bài" = 68; Báo Bắc Giang "50 tin, bài, ảnh".
for t in PCMT_DAI_FEATURED:
    item(DAI, t, "PCMT", "news", featured=True)
generated(DAI, "PCMT", 57, ["news", "report", "interview"], DAI_PROGS)
for t in PCMT_BBG_FEATURED:
    item(BBGDT, t, "PCMT", "article", featured=True)
generated(BBGDT, "PCMT", 18, ["news", "article"], BBG_PAGES)   # 30 on the e-paper
generated(BBG, "PCMT", 20, ["news", "article", "photo"], BBG_PAGES)
generated(TTCS, "PCMT", 12, ["broadcast"])
# 1.3 PCMBN: no figure in the seed; a few generated items.
generated(BBGDT, "PCMBN", 6, ["news", "article"])
generated(DAI, "PCMBN", 5, ["news", "report"])
generated(TTCS, "PCMBN", 4, ["broadcast"])

items.sort(key=lambda i: (i["published_on"], i["outlet"], i["title"]))

def directive(kind, date, title, topics):
    return {"kind": kind, "issued_on": date, "title": title, "issuer": AGENCY, "topics": topics,
            "recipients": ["Các cơ quan báo chí của tỉnh", "Hệ thống thông tin cơ sở"],
            "note": "Số hiệu và ngày ban hành không có trong báo cáo gốc (giá trị minh họa)."}

directives = [
    directive("plan", "2024-01-15", "Kế hoạch tuyên truyền thực hiện Chương trình phòng, chống ma túy trong thanh, thiếu niên đến năm 2030", ["PCMT"]),
    directive("plan", "2024-01-22", "Kế hoạch tuyên truyền công tác phòng, chống tội phạm, tệ nạn xã hội; phòng, chống mua bán người và xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc năm 2024", ["PCTP", "PCMBN"]),
    directive("plan", "2024-02-26", "Kế hoạch triển khai công tác tuyên truyền phòng, chống ma túy năm 2024", ["PCMT"]),
    directive("plan", "2024-03-12", "Kế hoạch thực hiện Đề án \"Nâng cao chất lượng, hiệu quả phong trào toàn dân bảo vệ an ninh Tổ quốc giai đoạn 2020-2025\" năm 2024", ["PCTP"]),
    directive("plan", "2024-04-03", "Kế hoạch thực hiện Đề án \"Nâng cao chất lượng, hiệu quả công tác tái hòa nhập cộng đồng trên địa bàn tỉnh, giai đoạn 2021-2025\" năm 2024", ["PCTP"]),
    directive("letter", "2024-05-20", "Công văn tuyên truyền Tháng hành động phòng, chống ma túy năm 2024", ["PCMT"]),
]

report_requests = [{
    "number": "2023/BCĐ-CAT",
    "issued_on": "2024-06-05",
    "requester": "Ban chỉ đạo Phòng chống tội phạm, TNXH và xây dựng PT TDBVANTQ",
    "subject": "báo cáo sơ kết công tác phòng chống tội phạm; phòng chống ma túy, phòng chống mua bán người 6 tháng đầu năm 2024",
    "agency": AGENCY,
    "report_kind": "so_ket",
    "period": "2024-H1",
}]

plan_items = [
    {"agency": AGENCY, "period": "2024-H2", "ordinal": 1, "topics": ["PCTP", "PCMT", "PCMBN"],
     "text": "Tăng cường thông tin, tuyên truyền, vận động, giáo dục nâng cao nhận thức của nhân dân về phòng, chống tội phạm, PCMT, PCMBN. Đổi mới và nâng cao hiệu quả công tác tuyên truyền. Chú ý tuyên truyền đến các đối tượng có nguy cơ cao và các tụ điểm phức tạp. Đổi mới nội dung tuyên truyền, đa dạng các hình thức tuyên truyền phù hợp với đối tượng, quan tâm nhất là ở cơ sở."},
    {"agency": AGENCY, "period": "2024-H2", "ordinal": 2, "topics": [],
     "text": "Đẩy mạnh việc áp dụng các công nghệ, kỹ thuật, phương tiện hiện đại để nâng cao hiệu quả công tác tuyên truyền chất lượng và phù hợp đến các tầng lớp nhân dân."},
    {"agency": AGENCY, "period": "2024-H2", "ordinal": 3, "topics": [],
     "text": "Tăng cường kiểm soát chặt chẽ các thông tin trên mạng xã hội; kịp thời phối hợp chặt chẽ với các ngành, chức năng, Công an tỉnh, Bộ TTTT xử lý nghiêm các trường hợp đăng thông tin xấu độc, thiếu kiểm chứng sai sự thật; kiểm tra xử lý việc đăng ký thông tin thuê bao di động không đúng quy định; triển khai các biện pháp xử lý rác viễn thông (SIM rác, cuộc gọi rác, cuộc gọi giả mạo), bảo vệ quyền lợi người tiêu dùng với mục đích phát triển thị trường lành mạnh và bền vững; kiểm tra, giám sát việc sử dụng tần số, việc chấp hành các quy định về kiểm định trạm BTS của các doanh nghiệp trên địa bàn."},
    {"agency": AGENCY, "period": "2024-H2", "ordinal": 4, "topics": ["PCTP", "PCMT", "PCMBN"],
     "text": "Tuyên truyền các mô hình về phòng chống tội phạm, phòng chống ma túy, phòng chống mua bán người; mô hình tổ chức quần chúng làm nhiệm vụ bảo đảm an ninh trật tự ở cơ sở. Biểu dương kịp thời các tập thể, cá nhân điển hình, sáng tạo trong thực hiện nhiệm vụ."},
]

cases = [
    {"code": "VV-2024-01", "title": "Tài khoản Facebook cung cấp, chia sẻ thông tin bịa đặt",
     "platform": "facebook", "account": "@taikhoan_a", "urls": [],
     "summary": "Rà soát thông tin trên mạng xã hội, xử lý vi phạm hành chính 01 cá nhân có tài khoản Facebook \"@taikhoan_a\" với hành vi cung cấp, chia sẻ thông tin bịa đặt, gây hoang mang trong Nhân dân",
     "category": "fabricated", "origin": "own_monitoring", "source": "Rà soát thông tin trên mạng xã hội",
     "legal_basis": "nd15-2020-d101-k1", "coordinating": [], "assignee": "chuyenvien",
     "status": "sanctioned", "opened_on": "2024-02-19", "closed_on": "2024-03-08", "notable": True},
    {"code": "VV-2024-02", "title": "Tài khoản TikTok đăng tải thông tin sai sự thật, xuyên tạc, vu khống",
     "platform": "tiktok", "account": "@taikhoan_b", "urls": [],
     "summary": "Phối hợp với Thanh tra Sở Thông tin và Truyền thông thành phố Hồ Chí Minh rà soát, kiểm tra và xử lý vi phạm đối với ông Nguyễn Văn B, chủ tài khoản tiktok @taikhoan_b đối với hành vi cung cấp, đăng tải thông tin sai sự thật, xuyên tạc, vu khống, xúc phạm uy tín của cơ quan, tổ chức, danh dự, nhân phẩm của cá nhân",
     "category": "distorted", "origin": "own_monitoring", "source": "Rà soát thông tin trên mạng xã hội",
     "legal_basis": "nd15-2020-d101-k1", "assignee": "chuyenvien",
     "coordinating": ["Thanh tra Sở Thông tin và Truyền thông thành phố Hồ Chí Minh"],
     "status": "sanctioned", "opened_on": "2024-03-25", "closed_on": "2024-04-17", "notable": True},
    {"code": "VV-2024-03", "title": "Tài khoản Facebook đăng bài quy kết, nói xấu, xúc phạm chính quyền",
     "platform": "facebook", "account": "@taikhoan_c", "account_url": "https://www.facebook.com/taikhoan_c", "urls": [],
     "summary": "Phối hợp với Công an Thành phố Bắc Giang tiến hành thu thập thông tin các bài viết đăng tải trên tài khoản Facebook \"@taikhoan_c\" thấy 03 bài viết có nội dung chứa từ ngữ có dấu hiệu quy kết, nói xấu, xúc phạm danh dự, uy tín chính quyền và cá nhân đồng chí lãnh đạo UBND thành phố Bắc Giang",
     "category": "insulting", "origin": "referral", "source": "Phối hợp Công an thành phố Bắc Giang",
     "legal_basis": "nd15-2020-d101-k1", "assignee": "chuyenvien",
     "coordinating": ["Công an thành phố Bắc Giang"],
     "status": "sanctioned", "opened_on": "2024-04-08", "closed_on": "2024-05-06", "notable": True},
    {"code": "VV-2024-04", "title": "Kênh YouTube đăng tải video có nội dung xuyên tạc",
     "platform": "youtube", "account": "@taikhoan_d", "urls": [],
     "summary": "Phối hợp với Phòng An ninh mạng và phòng chống tội phạm sử dụng công nghệ cao, Công an tỉnh tiến hành kiểm tra, thu nhận, lưu trữ thông tin 09 video đăng tải trên kênh Youtube \"@taikhoan_d\" liên quan ông Nguyễn Văn D, ở TT. Vôi, Lạng Giang; rà soát việc đăng tải, chia sẻ thông tin trên mạng liên quan đến lãnh đạo tỉnh Bắc Giang",
     "category": "distorted", "origin": "own_monitoring", "source": "Rà soát thông tin trên mạng xã hội",
     "assignee": "chuyenvien",
     "coordinating": ["Phòng An ninh mạng và phòng chống tội phạm sử dụng công nghệ cao, Công an tỉnh"],
     "status": "evidence_collected", "opened_on": "2024-05-13", "notable": True,
     "outcome": "Đã phối hợp bóc, gỡ nhiều tài khoản đăng tải thông tin có nội dung xuyên tạc, không đúng sự thật gây dư luận, hoang mang trong dân"},
]

case_comments = [
    {"case": "VV-2024-04", "author": "chuyenvien", "posted_at": "2024-06-10T03:00:00.000000Z",
     "body": "Kênh còn hoạt động sau lần kiểm tra ngày 10/6/2024; đề nghị Công an tỉnh tiếp tục phối hợp bóc, gỡ."},
]

evidence = [
    {"code": "VV-2024-03-CC01", "case": "VV-2024-03", "kind": "screenshot",
     "description": "Ảnh chụp 03 bài viết trên tài khoản Facebook @taikhoan_c",
     "url": "https://www.facebook.com/taikhoan_c", "captured_at": "2024-04-09T02:30:00.000000Z",
     "captured_by": "Phòng TTBCXB, Sở Thông tin và Truyền thông", "item_count": 3},
    {"code": "VV-2024-04-CC01", "case": "VV-2024-04", "kind": "video",
     "description": "Thu nhận, lưu trữ 09 video đăng tải trên kênh YouTube @taikhoan_d",
     "captured_at": "2024-05-14T03:00:00.000000Z",
     "captured_by": "Phòng An ninh mạng và phòng chống tội phạm sử dụng công nghệ cao, Công an tỉnh", "item_count": 9},
]

takedown_checks = [
    {"case": "VV-2024-02", "url": "https://www.tiktok.com/@taikhoan_b", "checked_at": "2024-04-22T02:00:00.000000Z",
     "result": "removed", "checked_by": "Phòng TTBCXB, Sở Thông tin và Truyền thông",
     "note": "Kiểm tra sau khi yêu cầu gỡ bỏ thông tin sai sự thật"},
    {"case": "VV-2024-04", "url": "https://www.youtube.com/@taikhoan_d", "checked_at": "2024-06-10T02:00:00.000000Z",
     "result": "still_online", "checked_by": "Phòng TTBCXB, Sở Thông tin và Truyền thông",
     "next_check_on": "2024-06-17", "evidence": "VV-2024-04-CC01",
     "note": "Kênh còn hoạt động; đề nghị phối hợp bóc, gỡ"},
]

LEAD = "Thanh tra Sở Thông tin và Truyền thông"
inspections = [
    {"code": "TT-2024-01", "kind": "inspection", "field": "Xuất bản, in và phát hành",
     "title": "Thanh tra việc chấp hành pháp luật về hoạt động in, phát hành xuất bản phẩm", "lead": LEAD,
     "started_on": "2024-03-04", "ended_on": "2024-03-15"},
    {"code": "KT-2024-01", "kind": "check", "field": "Viễn thông",
     "title": "Kiểm tra việc đăng ký, lưu giữ thông tin thuê bao di động tại các điểm cung cấp dịch vụ", "lead": LEAD,
     "started_on": "2024-04-01", "ended_on": "2024-04-12", "scope": "dang_ky_thue_bao"},
    {"code": "KT-2024-02", "kind": "check", "field": "Trò chơi điện tử công cộng",
     "title": "Kiểm tra điểm cung cấp dịch vụ trò chơi điện tử công cộng", "lead": LEAD,
     "started_on": "2024-04-22", "ended_on": "2024-04-26"},
    {"code": "KT-2024-03", "kind": "check", "field": "Bưu chính",
     "title": "Kiểm tra việc chấp hành pháp luật về bưu chính", "lead": LEAD,
     "started_on": "2024-05-06", "ended_on": "2024-05-10"},
    {"code": "KT-2024-04", "kind": "check", "field": "Thông tin điện tử",
     "title": "Kiểm tra hoạt động trang thông tin điện tử tổng hợp, mạng xã hội", "lead": LEAD,
     "started_on": "2024-05-20", "ended_on": "2024-05-31"},
]

def subj(insp, name, kind, violation=False):
    return {"inspection": insp, "name": name, "kind": kind, "violation_found": violation}

O, I = "organisation", "individual"
inspection_subjects = [
    subj("TT-2024-01", "Cơ sở in A1", O), subj("TT-2024-01", "Cơ sở in A2", O),
    subj("TT-2024-01", "Công ty phát hành xuất bản phẩm A3", O), subj("TT-2024-01", "Nhà sách A4", O),
    subj("TT-2024-01", "Nguyễn Văn E (cơ sở photocopy)", I),
    dict(subj("KT-2024-01", "Đại lý viễn thông B1", O, True), wrong_sims=12,
         findings="Phát hiện 12 SIM đã kích hoạt sẵn, thông tin thuê bao không đúng quy định"),
    subj("KT-2024-01", "Đại lý viễn thông B2", O),
    subj("KT-2024-01", "Cửa hàng giao dịch viễn thông B3", O), subj("KT-2024-01", "Điểm ủy quyền viễn thông B4", O),
    subj("KT-2024-01", "Trần Thị G (điểm bán SIM)", I), subj("KT-2024-01", "Lê Văn H (điểm bán SIM)", I),
    subj("KT-2024-02", "Công ty TNHH trò chơi C1", O, True), subj("KT-2024-02", "Công ty TNHH dịch vụ Internet C2", O),
    subj("KT-2024-02", "Phạm Văn I (điểm trò chơi điện tử)", I, True), subj("KT-2024-02", "Hoàng Thị K (điểm trò chơi điện tử)", I),
    subj("KT-2024-03", "Bưu cục D1", O), subj("KT-2024-03", "Công ty chuyển phát D2", O),
    subj("KT-2024-04", "Công ty cổ phần truyền thông E1", O), subj("KT-2024-04", "Công ty TNHH công nghệ E2", O),
    subj("KT-2024-04", "Vũ Văn L (chủ trang cá nhân)", I, True), subj("KT-2024-04", "Đặng Thị M (chủ trang cá nhân)", I),
]

ART101 = "Khoản 1 Điều 101 Nghị định số 15/2020/NĐ-CP (sửa đổi, bổ sung bởi Nghị định số 14/2022/NĐ-CP)"
ISSUER = "Chánh Thanh tra Sở Thông tin và Truyền thông tỉnh Bắc Giang"
REMOVE = "Buộc gỡ bỏ thông tin sai sự thật"

def sanction(number, date, kind, name, violation, fine, **kw):
    s = {"number": number, "issued_on": date, "subject_kind": kind, "subject_name": name, "violation": violation,
         "fine": fine, "remedies": [], "issuer": ISSUER, "issued_by_agency": True}
    s.update(kw)
    return s

sanction_decisions = [
    sanction("01/QĐ-XPHC", "2024-03-08", I, "Nguyễn Thị A",
             "Cung cấp, chia sẻ thông tin bịa đặt, gây hoang mang trong Nhân dân trên mạng xã hội", 7_500_000,
             subject_account="@taikhoan_a", legal_basis=ART101, provision="nd15-2020-d101-k1", remedies=[REMOVE], case="VV-2024-01"),
    sanction("02/QĐ-XPHC", "2024-04-17", I, "Nguyễn Văn B",
             "Cung cấp, đăng tải thông tin sai sự thật, xuyên tạc, vu khống, xúc phạm uy tín của cơ quan, tổ chức, danh dự, nhân phẩm của cá nhân",
             7_500_000, subject_account="@taikhoan_b", legal_basis=ART101, provision="nd15-2020-d101-k1", remedies=[REMOVE], case="VV-2024-02"),
    sanction("03/QĐ-XPHC", "2024-04-19", O, "Đại lý viễn thông B1",
             "Vi phạm quy định về đăng ký, lưu giữ thông tin thuê bao di động", 1_500_000, inspection="KT-2024-01"),
    sanction("04/QĐ-XPHC", "2024-05-03", O, "Công ty TNHH trò chơi C1",
             "Vi phạm quy định về điểm cung cấp dịch vụ trò chơi điện tử công cộng", 1_000_000, inspection="KT-2024-02"),
    sanction("05/QĐ-XPHC", "2024-05-03", I, "Phạm Văn I (điểm trò chơi điện tử)",
             "Vi phạm quy định về thời gian hoạt động của điểm cung cấp dịch vụ trò chơi điện tử công cộng", 1_000_000,
             inspection="KT-2024-02"),
    sanction("06/QĐ-XPHC", "2024-06-07", I, "Vũ Văn L (chủ trang cá nhân)",
             "Vi phạm quy định về cung cấp thông tin trên trang thông tin cá nhân", 1_000_000, inspection="KT-2024-04"),
    sanction("115/QĐ-XPVPHC", "2024-05-06", I, "Nguyễn Văn C",
             "Đăng tải bài viết có nội dung quy kết, nói xấu, xúc phạm danh dự, uy tín chính quyền và cá nhân lãnh đạo", 7_500_000,
             subject_account="@taikhoan_c", legal_basis=ART101, provision="nd15-2020-d101-k1", case="VV-2024-03", issuer="Công an thành phố Bắc Giang", issued_by_agency=False),
]

# The provisions for false information online, as ../shared/DESIGN.md gives
# them: the one the seed cites (Decree 15/2020, Art. 101(1)) and the one that
# replaces it for violations from 01/7/2026 (Decree 174/2026, Art. 95(1), (2)).
legal_bases = [
    {"code": "nd15-2020-d101-k1",
     "document": "Nghị định số 15/2020/NĐ-CP (sửa đổi, bổ sung bởi Nghị định số 14/2022/NĐ-CP)",
     "article": "101", "clause": "1",
     "title": "Lợi dụng mạng xã hội để cung cấp, chia sẻ thông tin giả mạo, thông tin sai sự thật, xuyên tạc, vu khống, xúc phạm uy tín của cơ quan, tổ chức, danh dự, nhân phẩm của cá nhân",
     "field": "Mạng xã hội",
     "fine_individual_min": 5_000_000, "fine_individual_max": 10_000_000,
     "fine_organisation_min": 10_000_000, "fine_organisation_max": 20_000_000,
     "valid_from": "2020-04-15", "valid_to": "2026-06-30",
     "note": "Biện pháp khắc phục: buộc gỡ bỏ thông tin sai sự thật hoặc thông tin vi phạm pháp luật. Áp dụng với hành vi kết thúc trước ngày 01/7/2026."},
    {"code": "nd174-2026-d95-k1",
     "document": "Nghị định số 174/2026/NĐ-CP", "article": "95", "clause": "1",
     "title": "Chia sẻ thông tin sai sự thật, xuyên tạc",
     "field": "Mạng xã hội",
     "fine_individual_min": 10_000_000, "fine_individual_max": 15_000_000,
     "fine_organisation_min": 20_000_000, "fine_organisation_max": 30_000_000,
     "valid_from": "2026-07-01", "replaces": "nd15-2020-d101-k1",
     "note": "Mức phạt quy định cho tổ chức; cá nhân bằng một nửa. Biện pháp khắc phục: buộc gỡ bỏ."},
    {"code": "nd174-2026-d95-k2",
     "document": "Nghị định số 174/2026/NĐ-CP", "article": "95", "clause": "2",
     "title": "Thông tin sai sự thật gây hoang mang trong Nhân dân hoặc cản trở hoạt động của cơ quan nhà nước",
     "field": "Mạng xã hội",
     "fine_individual_min": 15_000_000, "fine_individual_max": 25_000_000,
     "fine_organisation_min": 30_000_000, "fine_organisation_max": 50_000_000,
     "valid_from": "2026-07-01",
     "note": "Mức phạt quy định cho tổ chức; cá nhân bằng một nửa. Biện pháp khắc phục: buộc gỡ bỏ; buộc khóa tài khoản, trang, nhóm hoặc kênh."},
    # Telecom: the one provision ../shared/DESIGN.md gives (SIM rác).
    {"code": "nd174-2026-d34-k7",
     "document": "Nghị định số 174/2026/NĐ-CP", "article": "34", "clause": "7",
     "title": "Lưu thông SIM thuê bao di động đã được kích hoạt sẵn hoặc đăng ký sẵn thông tin thuê bao (SIM rác) khi không phải doanh nghiệp viễn thông, đại lý được phép",
     "field": "Viễn thông",
     "fine_individual_min": 15_000_000, "fine_individual_max": 20_000_000,
     "fine_organisation_min": 30_000_000, "fine_organisation_max": 40_000_000,
     "valid_from": "2026-07-01",
     "note": "Mức phạt quy định cho tổ chức; cá nhân bằng một nửa. Nghị định số 91/2020/NĐ-CP về chống tin nhắn rác, thư điện tử rác, cuộc gọi rác và các điều về thông tin thuê bao, tần số vô tuyến điện của Nghị định số 15/2020/NĐ-CP chưa được đối chiếu nguyên văn nên chưa đưa vào danh mục; cơ quan bổ sung khi viện dẫn."},
]

# Telecom (illustrative; the seed report only names the work): three
# operators' provincial branches, their awareness messages, their monthly
# spam reports for 2023 (the comparison) and 2024-H1, and 200 BTS stations
# whose certificates expire from 2024 to 2029, so some are always near.
telecom_operators = [
    {"code": "viettel", "name": "Tập đoàn Công nghiệp - Viễn thông Quân đội (Viettel)"},
    {"code": "vnpt", "name": "Tập đoàn Bưu chính Viễn thông Việt Nam (VNPT)"},
    {"code": "mobifone", "name": "Tổng công ty Viễn thông MobiFone"},
    {"code": "viettel-bacgiang", "name": "Viettel Bắc Giang", "parent": "viettel", "address": "Thành phố Bắc Giang"},
    {"code": "vnpt-bacgiang", "name": "VNPT Bắc Giang", "parent": "vnpt", "address": "Thành phố Bắc Giang"},
    {"code": "mobifone-bacgiang", "name": "MobiFone Bắc Giang", "parent": "mobifone", "address": "Thành phố Bắc Giang"},
]
BRANCHES = ["viettel-bacgiang", "vnpt-bacgiang", "mobifone-bacgiang"]
SHARE = {"viettel-bacgiang": 0.55, "vnpt-bacgiang": 0.27, "mobifone-bacgiang": 0.18}

def campaign(op, topic, channel, start, end, message, sent, reached):
    return {"operator": op, "topic": topic, "channel": channel, "started_on": start, "ended_on": end,
            "message": message, "messages_sent": sent, "subscribers_reached": reached}

MT = "Ma túy hủy hoại sức khỏe, tan nát gia đình. Hãy tránh xa ma túy! Phát hiện hành vi mua bán, sử dụng trái phép chất ma túy, hãy báo ngay cho cơ quan Công an gần nhất."
LD = "Cảnh giác các cuộc gọi giả danh cơ quan Công an, Viện kiểm sát, Tòa án yêu cầu chuyển tiền. Cơ quan chức năng không làm việc qua điện thoại. Phản ánh cuộc gọi, tin nhắn rác tới đầu số 5656."
telecom_campaigns = [
    campaign("viettel-bacgiang", "ma_tuy", "sms", "2024-06-03", "2024-06-10", MT, 412_000, 398_500),
    campaign("vnpt-bacgiang", "ma_tuy", "sms", "2024-06-03", "2024-06-10", MT, 205_000, 199_200),
    campaign("mobifone-bacgiang", "ma_tuy", "sms", "2024-06-03", "2024-06-10", MT, 131_000, 127_400),
    campaign("viettel-bacgiang", "lua_dao_qua_mang", "sms", "2024-03-11", "2024-03-15", LD, 415_000, 401_800),
    campaign("vnpt-bacgiang", "lua_dao_qua_mang", "thong_bao_ung_dung", "2024-04-01", "2024-04-30", LD, 96_000, 96_000),
]

def spam_month(op, month, scale):
    base = SHARE[op] * scale
    return {"operator": op, "month": month,
            "sms_reports": int(base * rng.uniform(1800, 2400)), "call_reports": int(base * rng.uniform(600, 900)),
            "numbers_blocked": int(base * rng.uniform(300, 420)), "sims_revoked": int(base * rng.uniform(900, 1300)),
            "fraud_calls_handled": int(base * rng.uniform(40, 70))}

spam_reports = [spam_month(op, f"{y}-{m:02d}", 1.0 if y == 2024 else 1.25)
                for y in (2023, 2024) for m in range(1, 13 if y == 2023 else 7) for op in BRANCHES]

COMMUNES = [
    ("Phường Trần Phú", "Thành phố Bắc Giang"), ("Phường Ngô Quyền", "Thành phố Bắc Giang"),
    ("Phường Hoàng Văn Thụ", "Thành phố Bắc Giang"), ("Xã Tân Tiến", "Thành phố Bắc Giang"),
    ("Thị trấn Chũ", "Huyện Lục Ngạn"), ("Xã Nam Dương", "Huyện Lục Ngạn"), ("Xã Phượng Sơn", "Huyện Lục Ngạn"),
    ("Thị trấn An Châu", "Huyện Sơn Động"), ("Xã Tuấn Đạo", "Huyện Sơn Động"),
    ("Thị trấn Đồi Ngô", "Huyện Lục Nam"), ("Xã Bảo Đài", "Huyện Lục Nam"),
    ("Thị trấn Thắng", "Huyện Hiệp Hòa"), ("Xã Đức Thắng", "Huyện Hiệp Hòa"),
    ("Thị trấn Bích Động", "Huyện Việt Yên"), ("Phường Nếnh", "Thị xã Việt Yên"),
    ("Thị trấn Cao Thượng", "Huyện Tân Yên"), ("Thị trấn Vôi", "Huyện Lạng Giang"),
    ("Thị trấn Nham Biền", "Huyện Yên Dũng"), ("Thị trấn Bố Hạ", "Huyện Yên Thế"), ("Thị trấn Phồn Xương", "Huyện Yên Thế"),
]
PREFIX = {"viettel-bacgiang": "BGG", "vnpt-bacgiang": "BGI", "mobifone-bacgiang": "BGM"}
bts_stations = []
for i in range(200):
    op = BRANCHES[0] if i < 110 else BRANCHES[1] if i < 164 else BRANCHES[2]
    commune, district = COMMUNES[i % len(COMMUNES)]
    issued_year = 2019 + i % 5
    issued = f"{issued_year}-{1 + (i * 7) % 12:02d}-{1 + (i * 11) % 28:02d}"
    # Certificates last five years: expiries run from 2024 to 2029.
    expires = f"{issued_year + 5}-{1 + (i * 7) % 12:02d}-{(i * 11) % 28 or 28:02d}"
    bts_stations.append({
        "operator": op, "code": f"{PREFIX[op]}{i + 1:04d}",
        "address": f"Thôn {1 + i % 9}, {commune}, {district}", "commune": commune,
        "coordinates": f"{21.05 + rng.uniform(0, 0.45):.5f}, {106.0 + rng.uniform(0, 0.85):.5f}",
        "licence_number": f"{10000 + i}/GP-CTS", "licence_expires": f"{2025 + i % 4}-12-31",
        "certificate_number": f"{issued_year}/KĐ-{PREFIX[op]}-{i + 1:04d}",
        "certificate_issued_on": issued, "certificate_expires": expires,
    })

inspections.append(
    {"code": "KT-2024-05", "kind": "check", "field": "Viễn thông",
     "title": "Kiểm tra việc chấp hành quy định về kiểm định trạm BTS, sử dụng tần số vô tuyến điện", "lead": LEAD,
     "started_on": "2024-07-08", "ended_on": "2024-07-12", "scope": "tram_bts"})
for code in ("BGG0003", "BGI0120", "BGM0170"):
    inspection_subjects.append(dict(subj("KT-2024-05", f"Trạm BTS {code}", O), station=code))

doc = {
    "format": "canhgiac",
    "schema_version": 1,
    "notes": notes,
    "records": {
        "agencies": [agency],
        "users": users,
        "topics": topics,
        "legal_bases": legal_bases,
        "outlets": outlets,
        "programmes": programmes,
        "sources": sources,
        "media_items": items,
        "directives": directives,
        "report_requests": report_requests,
        "plan_items": plan_items,
        "cases": cases,
        "case_comments": case_comments,
        "evidence": evidence,
        "takedown_checks": takedown_checks,
        "telecom_operators": telecom_operators,
        "bts_stations": bts_stations,
        "telecom_campaigns": telecom_campaigns,
        "spam_reports": spam_reports,
        "inspections": inspections,
        "inspection_subjects": inspection_subjects,
        "sanction_decisions": sanction_decisions,
    },
}

def norm(o):
    if isinstance(o, str):
        return nfc(o)
    if isinstance(o, list):
        return [norm(x) for x in o]
    if isinstance(o, dict):
        return {k: norm(v) for k, v in o.items()}
    return o

with open("fixtures/seed-2024-h1.json", "w", encoding="utf-8") as f:
    json.dump(norm(doc), f, ensure_ascii=False, indent=1)
    f.write("\n")

print(f"{len(items)} items, {sum(1 for i in items if i['featured'])} featured")
