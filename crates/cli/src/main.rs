//! `canhgiac`: the command line. Vietnamese for people, JSON on request
//! for machines.

mod backup;
mod bench;
mod bench_import;
mod bench_ingest;
mod bench_search;
mod cases;
mod commands;
mod demo;
mod federation;
mod ingest;
mod jobs;
mod report;
mod search;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Hệ thống thông tin phục vụ công tác phòng, chống tội phạm; phòng, chống
/// ma túy; phòng, chống mua bán người của Sở Thông tin và Truyền thông.
#[derive(Parser, Debug)]
#[command(name = "canhgiac", version, about, long_about = None)]
pub struct Cli {
    /// Thư mục dữ liệu của kho nhúng SQLite (data folder of the embedded store).
    #[arg(long, global = true, env = "CANHGIAC_DATA", default_value = "canhgiac-data")]
    pub data: PathBuf,

    /// Địa chỉ PostgreSQL (postgres://…); bỏ trống thì dùng SQLite trong thư mục dữ liệu.
    #[arg(long, global = true, env = "CANHGIAC_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Mã cơ quan: lệnh chỉ đọc và ghi dữ liệu của cơ quan này (bắt buộc khi kho có nhiều cơ quan).
    #[arg(long, global = true, env = "CANHGIAC_AGENCY")]
    pub agency: Option<String>,

    /// Lược đồ (schema) PostgreSQL dùng chung một cơ sở dữ liệu; bỏ trống thì dùng mặc định.
    #[arg(long, global = true, env = "CANHGIAC_DATABASE_SCHEMA")]
    pub database_schema: Option<String>,

    /// Dạng nhật ký vận hành: text (cho người đọc) hoặc json (cho hệ thống thu thập nhật ký).
    #[arg(long, global = true, env = "CANHGIAC_LOG_FORMAT", default_value = "text")]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// How the workers of `serve` and `worker` run.
#[derive(clap::Args, Debug, Clone)]
pub struct WorkerArgs {
    /// Số công việc chạy đồng thời.
    #[arg(long, default_value_t = 2)]
    pub concurrency: usize,
    /// Thời hạn giữ một công việc (giây), tự gia hạn khi đang chạy.
    #[arg(long, default_value_t = 60)]
    pub lease_seconds: u64,
    /// Tên của tiến trình làm việc (mặc định: máy:tiến trình:ngẫu nhiên).
    #[arg(long, env = "CANHGIAC_WORKER_ID")]
    pub worker_id: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Khởi tạo kho dữ liệu và tài khoản quản trị đầu tiên (create the store and the first admin).
    Init {
        /// Tên đăng nhập của quản trị viên.
        #[arg(long, default_value = "admin")]
        admin: String,
    },
    /// Chạy ứng dụng web (serve the web application).
    Serve {
        /// Địa chỉ lắng nghe.
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// Nạp dữ liệu mẫu trước khi chạy.
        #[arg(long)]
        demo: bool,
        /// Đánh dấu cookie Secure (khi chạy sau HTTPS).
        #[arg(long)]
        secure_cookies: bool,
        /// Không chạy công việc nền trong tiến trình này (khi đã có `canhgiac worker` riêng).
        #[arg(long)]
        no_workers: bool,
        /// Số kết nối phục vụ cùng lúc; kết nối khác chờ trong hàng đợi của hệ điều hành.
        #[arg(long, default_value_t = 512)]
        max_connections: usize,
        #[command(flatten)]
        workers: WorkerArgs,
    },
    /// Chạy riêng các tiến trình làm công việc nền, dùng chung cơ sở dữ liệu (run background workers alone).
    Worker {
        #[command(flatten)]
        workers: WorkerArgs,
    },
    /// Hàng đợi công việc nền: tình trạng, công việc thử (job queue: status, probe jobs).
    Jobs {
        #[command(subcommand)]
        action: JobsAction,
    },
    /// Nạp bộ dữ liệu mẫu của Báo cáo 180/BC-STTTT (load the seed dataset; idempotent).
    Demo,
    /// Nhập dữ liệu từ tệp JSON, CSV hoặc XLSX; tất cả hoặc không gì cả (all-or-nothing import).
    Import {
        /// Tệp cần nhập.
        file: PathBuf,
        /// Loại bản ghi của tệp CSV/XLSX: media-items, directives, inspection-subjects, sanctions.
        #[arg(long)]
        kind: Option<String>,
        /// Chỉ kiểm tra, không ghi (check only).
        #[arg(long)]
        dry_run: bool,
    },
    /// Xuất toàn bộ dữ liệu (export every record).
    Export {
        /// Định dạng (format): json.
        #[arg(long, default_value = "json")]
        format: String,
        /// Tệp đích; bỏ trống thì in ra màn hình.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Số liệu của một kỳ tính từ dữ liệu (figures of a period, from the records).
    Stats {
        /// Kỳ: 2024-06, 2024-Q2, 2024-H1, 2024-9M, 2024.
        #[arg(long, conflicts_with_all = ["from", "to"])]
        period: Option<String>,
        /// Từ ngày (dd/mm/yyyy).
        #[arg(long, requires = "to")]
        from: Option<String>,
        /// Đến ngày (dd/mm/yyyy).
        #[arg(long, requires = "from")]
        to: Option<String>,
        /// In dạng JSON.
        #[arg(long)]
        json: bool,
    },
    /// Lập báo cáo định kỳ từ dữ liệu: DOCX, PDF, HTML, Markdown hoặc phụ lục XLSX (write the periodic report).
    Report(ReportArgs),
    /// Đo hiệu năng lập báo cáo trên kho lớn được sinh tự động (end-to-end benchmark).
    Bench {
        /// Số tin, bài trong kho (sinh thêm nếu thiếu).
        #[arg(long, default_value_t = 1_000_000)]
        items: u64,
        /// Số lần đo mỗi mục.
        #[arg(long, default_value_t = 5)]
        runs: u32,
        /// Đo thêm việc nhập một danh sách trạm BTS (CSV) có chừng này dòng; 0 là bỏ qua.
        #[arg(long, default_value_t = 0)]
        stations: u64,
        /// Phần đo: report (lập báo cáo), ingest (thu thập tin, bài), import (nhập hàng loạt từ tệp và API), search (tìm kiếm trên --items tin, bài) hoặc all.
        #[arg(long, default_value = "report")]
        stage: String,
        /// Phần ingest, import: số tin, bài sinh tự động (kho tin RSS; tệp và API).
        #[arg(long, default_value_t = 20_000)]
        feed_items: u64,
        /// In kết quả phần ingest, import, search dạng JSON.
        #[arg(long)]
        json: bool,
    },
    /// Tạo mã truy cập API cho một người dùng; mã chỉ hiển thị một lần (create an API token).
    Token {
        /// Tên đăng nhập của người dùng sở hữu mã.
        #[arg(long)]
        user: String,
        /// Phạm vi: read, write, ingest (cách nhau bởi dấu phẩy).
        #[arg(long, default_value = "read")]
        scopes: String,
        /// Tên gợi nhớ của mã.
        #[arg(long, default_value = "api")]
        name: String,
        /// Số ngày hiệu lực (bỏ trống: không hết hạn).
        #[arg(long)]
        days: Option<u32>,
    },
    /// Yêu cầu báo cáo gửi các cơ quan, đơn vị trực thuộc hoặc thành viên (report requests).
    Request {
        #[command(subcommand)]
        action: federation::RequestAction,
    },
    /// Báo cáo của đơn vị trả lời yêu cầu: gửi, duyệt, trả lại, gói ký số (submissions).
    Submission {
        #[command(subcommand)]
        action: federation::SubmissionAction,
    },
    /// Khóa ký số Ed25519 của các cơ quan (signing keys).
    Key {
        #[command(subcommand)]
        action: federation::KeyAction,
    },
    /// Sao lưu toàn bộ kho khi máy chủ đang chạy: một tệp kèm danh mục SHA-256 (online backup).
    Backup {
        /// Tệp sao lưu cần tạo (không ghi đè tệp đã có).
        #[arg(long, required_unless_present = "schedule", conflicts_with = "schedule")]
        out: Option<PathBuf>,
        /// Lập lịch sao lưu định kỳ vào thư mục này (công việc nền của `serve` hoặc `worker`).
        #[arg(long)]
        schedule: Option<PathBuf>,
        /// Chu kỳ sao lưu, tính bằng giờ.
        #[arg(long, default_value_t = 24, requires = "schedule")]
        every_hours: u32,
        /// Số bản sao lưu mới nhất được giữ lại.
        #[arg(long, default_value_t = 7, requires = "schedule")]
        keep: u32,
    },
    /// Phục hồi bản sao lưu vào thư mục dữ liệu (hoặc lược đồ PostgreSQL) còn trống.
    Restore {
        /// Tệp sao lưu.
        file: PathBuf,
    },
    /// Tài khoản người dùng: khôi phục từ dòng lệnh khi không còn ai quản trị được (user recovery).
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Nguồn tin (cơ quan báo chí, đài): dùng chung cho mọi cơ quan (outlets shared by every agency).
    Outlet {
        #[command(subcommand)]
        action: OutletAction,
    },
    /// Vụ việc thông tin xấu, độc: thêm, xem, chuyển trạng thái theo quy trình (cases).
    Case {
        #[command(subcommand)]
        action: CaseAction,
    },
    /// Nguồn tin tự động: thêm, xem tình trạng (feeds and listing pages: add, list with health).
    Source {
        #[command(subcommand)]
        action: SourceAction,
    },
    /// Thu thập tin, bài từ các nguồn tin ngay bây giờ (fetch sources now).
    Ingest {
        /// Thu thập một lượt rồi dừng.
        #[arg(long)]
        once: bool,
        /// Chỉ nguồn tin có số này (xem canhgiac source list).
        #[arg(long)]
        source: Option<i64>,
    },
    /// Tìm tin, bài theo nội dung, không cần gõ dấu: `ma tuy`, "mua bán người", AND, OR, NOT (full-text search).
    Search {
        /// Câu tìm kiếm.
        query: String,
        /// Chỉ tin, bài của cơ quan báo chí có mã này.
        #[arg(long)]
        outlet: Option<String>,
        /// Chỉ tin, bài thuộc chủ đề có mã này (PCTP, PCMT, PCMBN).
        #[arg(long)]
        topic: Option<String>,
        /// Từ ngày (dd/mm/yyyy).
        #[arg(long)]
        from: Option<String>,
        /// Đến ngày (dd/mm/yyyy).
        #[arg(long)]
        to: Option<String>,
        /// Số kết quả tối đa.
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// In dạng JSON.
        #[arg(long)]
        json: bool,
    },
    /// Chỉ mục tìm kiếm (search index).
    Index {
        #[command(subcommand)]
        action: IndexAction,
    },
    /// Nhật ký thay đổi (audit trail).
    Audit {
        /// Số dòng.
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Kiểm tra toàn bộ chuỗi băm của nhật ký.
        #[arg(long)]
        verify: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum IndexAction {
    /// Dựng lại chỉ mục tìm kiếm từ kho dữ liệu (chỉ mục chỉ là bản sao, xóa đi không mất gì).
    Rebuild,
}

#[derive(Subcommand, Debug)]
pub enum UserAction {
    /// Danh sách tài khoản: tên, họ tên, vai trò, cơ quan, trạng thái.
    List,
    /// Đặt mật khẩu mới (in ra một lần), chấm dứt mọi phiên và mã truy cập API của tài khoản.
    ResetPassword {
        /// Tên đăng nhập.
        name: String,
        /// Đọc mật khẩu mới từ đầu vào chuẩn (một dòng) thay vì sinh ngẫu nhiên.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Đổi vai trò: admin (quản trị), editor (chuyên viên), viewer (lãnh đạo).
    SetRole {
        /// Tên đăng nhập.
        name: String,
        /// Vai trò mới.
        role: String,
    },
    /// Mở khóa (hoặc khóa, với --lock) tài khoản.
    Unlock {
        /// Tên đăng nhập.
        name: String,
        /// Khóa thay vì mở khóa.
        #[arg(long)]
        lock: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum OutletAction {
    /// Dùng chung một nguồn tin cho mọi cơ quan: bản ghi của các cơ quan cùng mã gộp làm một,
    /// tin, bài và chương trình của mỗi cơ quan vẫn là của cơ quan đó (share one outlet).
    Share {
        /// Mã nguồn tin, ví dụ bao-bac-giang.
        #[arg(long)]
        key: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum CaseAction {
    /// Thêm một vụ việc; in ra số của vụ việc mới.
    Add {
        /// Nền tảng: facebook, tiktok, youtube, zalo, website, khác…
        #[arg(long)]
        platform: String,
        /// Tài khoản như trên nền tảng, ví dụ @taikhoan_a.
        #[arg(long)]
        account: String,
        /// Đường dẫn nội dung vi phạm (có thể cho nhiều lần).
        #[arg(long = "url")]
        urls: Vec<String>,
        /// Tóm tắt nội dung vi phạm.
        #[arg(long)]
        summary: String,
        /// Tiêu đề (mặc định: đầu câu tóm tắt).
        #[arg(long)]
        title: Option<String>,
        /// Loại vi phạm (mặc định: thông tin sai sự thật).
        #[arg(long, default_value = "false_information")]
        category: String,
        /// Mã vụ việc (mặc định: mã tiếp theo của năm, VV-năm-số).
        #[arg(long)]
        code: Option<String>,
        /// Ngày phát hiện dd/mm/yyyy (mặc định: hôm nay).
        #[arg(long)]
        opened: Option<String>,
    },
    /// Liệt kê vụ việc, mới nhất trước.
    List {
        /// Chỉ vụ việc ở trạng thái này.
        #[arg(long)]
        status: Option<String>,
    },
    /// Xem một vụ việc: thông tin, chứng cứ, xử phạt, kiểm tra gỡ bỏ, diễn biến.
    Show {
        /// Số vụ việc (cột «Số» của canhgiac case list) hoặc mã vụ việc.
        case: String,
    },
    /// Chuyển trạng thái một vụ việc theo quy trình.
    Move {
        /// Số vụ việc hoặc mã vụ việc.
        case: String,
        /// Trạng thái mới, ví dụ «đang xác minh» hoặc verifying.
        status: String,
        /// Lý do (bắt buộc khi tạm dừng, kết luận không vi phạm, đóng khi chưa gỡ bỏ, mở lại hoặc lùi bước).
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum SourceAction {
    /// Thêm một nguồn tin cho một cơ quan báo chí.
    Add {
        /// Tên hoặc mã cơ quan báo chí.
        #[arg(long)]
        outlet: String,
        /// Địa chỉ nguồn tin RSS/Atom/JSON Feed, kênh YouTube hoặc trang danh sách.
        #[arg(long)]
        url: String,
        /// Loại: feed, youtube hoặc page.
        #[arg(long, default_value = "feed")]
        kind: String,
        /// Trang danh sách: bộ chọn CSS đường dẫn mỗi tin, bài (ví dụ "h3 a").
        #[arg(long)]
        link_selector: Option<String>,
        /// Trang danh sách: bộ chọn tiêu đề.
        #[arg(long)]
        title_selector: Option<String>,
        /// Trang danh sách: bộ chọn ngày đăng.
        #[arg(long)]
        date_selector: Option<String>,
    },
    /// Liệt kê nguồn tin và tình trạng thu thập.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum JobsAction {
    /// Số công việc theo loại và trạng thái.
    Status,
    /// Xếp hàng các công việc thử để kiểm tra hàng đợi chạy thông suốt.
    Probe {
        /// Số công việc.
        #[arg(long, default_value_t = 1)]
        count: u32,
        /// Mỗi công việc chờ bao nhiêu mili giây.
        #[arg(long, default_value_t = 0)]
        sleep_ms: u64,
    },
}

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub action: Option<ReportAction>,
    #[command(flatten)]
    pub spec: ReportSpecArgs,
}

#[derive(clap::Args, Debug, Clone)]
pub struct ReportSpecArgs {
    /// Kỳ báo cáo: 2024-06, 2024-Q2, 2024-H1, 2024-9M, 2024.
    #[arg(long, global = true)]
    pub period: Option<String>,
    /// Từ ngày (dd/mm/yyyy), thay cho --period.
    #[arg(long, global = true)]
    pub from: Option<String>,
    /// Đến ngày (dd/mm/yyyy), thay cho --period.
    #[arg(long, global = true)]
    pub to: Option<String>,
    /// Loại báo cáo: so-ket, tong-ket, quy, thang, dot-xuat.
    #[arg(long, global = true, default_value = "so-ket")]
    pub kind: String,
    /// Số văn bản (180 → 180/BC-…).
    #[arg(long, global = true)]
    pub number: Option<u32>,
    /// Ngày ký (dd/mm/yyyy); mặc định hôm nay.
    #[arg(long, global = true)]
    pub date: Option<String>,
    /// Tệp mẫu báo cáo thay cho mẫu mặc định.
    #[arg(long, global = true)]
    pub template: Option<PathBuf>,
    /// Tệp đích; định dạng theo đuôi tệp: .docx, .pdf, .html, .md, .xlsx.
    #[arg(long, global = true)]
    pub out: Option<PathBuf>,
    /// Định dạng, khi không suy ra được từ tên tệp (xlsx: phụ lục thống kê).
    #[arg(long, global = true)]
    pub format: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum ReportAction {
    /// In mẫu báo cáo mặc định (print the default template).
    Template,
    /// Ban hành: lưu bản chốt bất biến của báo cáo kèm mã SHA-256 (freeze an immutable snapshot).
    Issue {
        /// Các định dạng lưu kèm, cách nhau bởi dấu phẩy.
        #[arg(long, default_value = "docx,pdf,html,md,xlsx")]
        formats: String,
    },
    /// Danh sách các báo cáo đã ban hành.
    List,
    /// Lấy một tệp của báo cáo đã ban hành.
    Get {
        /// Mã số báo cáo đã ban hành.
        #[arg(long)]
        id: i64,
        /// Tên tệp, ví dụ bao-cao.docx.
        #[arg(long)]
        file: String,
    },
    /// Kiểm tra lại mã băm của báo cáo đã ban hành.
    Verify {
        #[arg(long)]
        id: i64,
    },
}

fn main() -> ExitCode {
    // Printing into a closed pipe (`canhgiac audit | head`) ends the program
    // quietly, as other command-line tools do, instead of panicking.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    // The one unsafe block of the workspace (`unsafe_code` is denied elsewhere).
    #[allow(unsafe_code)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let default_level = match cli.command {
        Command::Serve { .. } | Command::Worker { .. } => "info",
        Command::Ingest { .. } => "error",
        _ => "warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| default_level.into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Json => logs.json().init(),
        LogFormat::Text => logs.init(),
    }
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("Lỗi: không khởi động được bộ thực thi ({e})");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::debug!(error = ?e, "command failed");
            eprintln!("Lỗi: {e:#}");
            ExitCode::FAILURE
        }
    }
}
