//! A generated, deterministic Vietnamese corpus of RSS files, for the
//! benchmarks (`canhgiac bench --stage ingest`, the criterion kernels):
//! titles and texts mixing the topics' phrases with unrelated news.

pub const PER_FEED: u64 = 100;
/// Districts the headlines name.
pub const PLACES: [&str; 8] = [
    "Lục Ngạn",
    "Lạng Giang",
    "Yên Dũng",
    "Sơn Động",
    "Yên Thế",
    "Việt Yên",
    "Hiệp Hòa",
    "Lục Nam",
];
/// What the headlines report: the topics' phrases and unrelated news.
pub const SUBJECTS: [&str; 10] = [
    "bắt giữ đối tượng mua bán trái phép chất ma túy",
    "tuyên truyền phòng, chống mua bán người tại xã biên giới",
    "triệt phá đường dây đánh bạc qua mạng",
    "cảnh báo thủ đoạn lừa đảo chiếm đoạt tài sản qua mạng",
    "khai mạc hội chợ nông sản an toàn",
    "ra quân cao điểm tấn công, trấn áp tội phạm",
    "mô hình cai nghiện ma túy tại cộng đồng",
    "hội nghị sơ kết công tác sản xuất vụ đông",
    "khởi tố vụ án trộm cắp tài sản",
    "tập huấn chuyển đổi số cho cán bộ cấp xã",
];

/// Feed number `f`, its items numbered from `f * PER_FEED`; `host` is put
/// in the links.
pub fn feed(f: u64, host: &str) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Tin tổng hợp</title><link>http://HOST/</link><description>Tin</description>\n",
    );
    for i in f * PER_FEED..(f + 1) * PER_FEED {
        let place = PLACES[(i % 8) as usize];
        let subject = SUBJECTS[(i.wrapping_mul(7) % 10) as usize];
        let day = 1 + i % 28;
        let hour = i % 24;
        s.push_str(&format!(
            "<item><title>{place}: {subject} (tin số {i})</title><link>http://{host}/bai/{i}.html?utm_source=rss</link>\
             <description><![CDATA[<p>Ngày {day}/6, tại huyện {place}, lực lượng chức năng phối hợp với chính quyền địa phương \
             {subject}. Đây là một trong những hoạt động thường xuyên nhằm bảo đảm an ninh, trật tự trên địa bàn, \
             nâng cao nhận thức của nhân dân.</p>]]></description>\
             <pubDate>{:02} Jun 2024 {hour:02}:15:00 +0700</pubDate></item>\n",
            day
        ));
    }
    s.push_str("</channel></rss>\n");
    s
}
