#include "emulator/messages.h"

#include <stddef.h>

typedef struct {
    int code;
    const char *en;
    const char *vn;
} message;

static const message messages[] = {
    {0, "Successfully", "Thành công"},
    {1007, "Request accepted", "Yêu cầu đã được chấp nhận"},
    {3000, "Invalid username or password", "Tên đăng nhập hoặc mật khẩu không đúng"},
    {3001, "Relying party authentication failed", "Xác thực bên tin cậy thất bại"},
    {3002, "Account is locked", "Tài khoản đã bị khóa"},
    {3003, "Account does not exist", "Tài khoản không tồn tại"},
    {3004, "Refresh token is invalid", "Refresh token không hợp lệ"},
    {3005, "Access token has expired", "Access token đã hết hạn"},
    {3006, "Access token is invalid", "Access token không hợp lệ"},
    {3007, "Agreement is invalid", "Thỏa thuận không hợp lệ"},
    {3008, "Credential not found", "Không tìm thấy chứng thư"},
    {3009, "Certificate is revoked", "Chứng thư đã bị thu hồi"},
    {3010, "Certificate is not valid", "Chứng thư không hợp lệ"},
    {3011, "Authorization code is invalid", "Mã xác thực không đúng"},
    {3012, "Credential is locked", "Chứng thư đã bị khóa"},
    {3013, "OTP has expired or was not requested", "OTP đã hết hạn hoặc chưa được yêu cầu"},
    {3014, "SAD is invalid", "SAD không hợp lệ"},
    {3015, "SAD has expired", "SAD đã hết hạn"},
    {3016, "SAD has no signatures left", "SAD đã hết lượt ký"},
    {3017, "Hash was not authorized", "Giá trị băm chưa được cấp phép"},
    {3018, "Signing counter exhausted", "Đã hết số lần ký của chứng thư"},
    {3019, "Algorithm not supported", "Thuật toán không được hỗ trợ"},
    {3020, "Credential is in use by another client", "Chứng thư đang được dùng bởi thiết bị khác"},
    {3021, "Authorization mode mismatch", "Phương thức xác thực không phù hợp"},
    {3022, "User denied the request", "Người dùng đã từ chối yêu cầu"},
    {3023, "rssp-entity-name header missing or wrong", "Thiếu hoặc sai header rssp-entity-name"},
    {3024, "Permission denied", "Không có quyền"},
    {3025, "Agreement already assigned to another owner", "Thỏa thuận đã được gán cho chủ khác"},
    {3026, "numSignatures exceeds the credential's limit", "numSignatures vượt quá giới hạn"},
    {3036, "Request is already expired", "Yêu cầu đã hết hạn"},
    {3100, "Invalid parameter", "Tham số không hợp lệ"},
    {3101, "Not supported", "Không được hỗ trợ"},
    {3213, "The mobile app is not ready", "Ứng dụng di động chưa sẵn sàng"},
    {9000, "Internal error", "Lỗi hệ thống"},
    {9001, "Service unavailable", "Dịch vụ không khả dụng"},
};

const char *emu_message(int code, bool vn)
{
    for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++) {
        if (messages[i].code == code)
            return vn ? messages[i].vn : messages[i].en;
    }
    return vn ? "Lỗi" : "Error";
}
