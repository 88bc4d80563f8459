"""What the account import page says about each column of the CSV (issue #14 item 8)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.org.csv_import import COLUMNS, REQUIRED

_HELP = {
    "username": _l("Tên đăng nhập: chữ thường không dấu, số, dấu chấm, gạch ngang hoặc số điện thoại."),
    "full_name": _l("Họ và tên đầy đủ, có dấu."),
    "role": _l(
        "Vai trò: hoc-vien, giang-vien, duyet, ban-to-chuc, quan-tri "
        "(hoặc learner, instructor, approver, board, admin)."
    ),
    "unit": _l(
        "Đơn vị: mã đơn vị (xem trang Đơn vị) hoặc tên đúng như trên trang Đơn vị, "
        "khi không có đơn vị khác cùng tên."
    ),
    "title": _l("Mã chức danh, ví dụ chu-tich-ubnd."),
    "title_since": _l("Ngày giữ chức danh: DD/MM/YYYY hoặc YYYY-MM-DD."),
    "birth_year": _l("Năm sinh (bắt buộc với học viên)."),
    "gender": _l("Giới tính: nam, nữ, khác (bắt buộc với học viên)."),
    "ethnicity": _l("Dân tộc; để trống là Kinh."),
    "professional": _l("Mã trình độ chuyên môn, ví dụ dai-hoc."),
    "political": _l("Mã trình độ lý luận chính trị, ví dụ trung-cap."),
    "state_mgmt": _l("Mã trình độ quản lý nhà nước."),
    "password": _l("Mật khẩu ban đầu; để trống thì hệ thống tạo và hiện một lần."),
}

IMPORT_COLUMN_HELP = [(column, column in REQUIRED, _HELP[column]) for column in COLUMNS]
