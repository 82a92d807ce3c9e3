package wire

import (
	"maps"
	"slices"
)

// Trustly error codes, carried in error.code and in the signed error.error.data.code of an
// error response. The name of each code is also the error message Trustly sends.
const (
	CodeFunctionAccessDenied       = 602 // ERROR_FUNCTION_ACCESS_DENIED: the merchant may not call this method.
	CodeHostAccessDenied           = 607 // ERROR_HOST_ACCESS_DENIED: the caller's IP address is not whitelisted.
	CodeInvalidAmount              = 615 // ERROR_INVALID_AMOUNT: amount must be > 0 with two decimals.
	CodeInvalidCredentials         = 616 // ERROR_INVALID_CREDENTIALS: wrong Username or Password.
	CodeUnknown                    = 620 // ERROR_UNKNOWN: generic error.
	CodeInvalidCurrencyCode        = 622 // ERROR_INVALID_CURRENCY_CODE.
	CodeInvalidParameters          = 623 // ERROR_INVALID_PARAMETERS: a parameter has a wrong format.
	CodeUnableToVerifyRSASignature = 636 // ERROR_UNABLE_TO_VERIFY_RSA_SIGNATURE: wrong key or serialization.
	CodeDuplicateMessageID         = 637 // ERROR_DUPLICATE_MESSAGE_ID: MessageID used before.
	CodeEndUserIsBlocked           = 638 // ERROR_ENDUSER_IS_BLOCKED.
	CodeNoPublicKey                = 639 // ERROR_NO_PUBLIC_KEY: no merchant public key configured.
	CodeInvalidEmail               = 642 // ERROR_INVALID_EMAIL: missing or invalid Email.
	CodeInvalidLocale              = 645 // ERROR_INVALID_LOCALE.
	CodeDuplicateUUID              = 688 // ERROR_DUPLICATE_UUID: UUID used before.
	CodeEndUserIDIsNull            = 696 // ERROR_ENDUSERID_IS_NULL.
	CodeMessageIDIsNull            = 697 // ERROR_MESSAGEID_IS_NULL.
	CodeInvalidIP                  = 698 // ERROR_INVALID_IP: only one IP address allowed.
	CodeMalformedSuccessURL        = 700 // ERROR_MALFORMED_SUCCESSURL.
	CodeMalformedFailURL           = 701 // ERROR_MALFORMED_FAILURL.
	CodeMalformedTemplateURL       = 702 // ERROR_MALFORMED_TEMPLATEURL.
	CodeMalformedURLTarget         = 703 // ERROR_MALFORMED_URLTARGET.
	CodeMalformedMessageID         = 704 // ERROR_MALFORMED_MESSAGEID.
	CodeMalformedNotificationURL   = 705 // ERROR_MALFORMED_NOTIFICATIONURL.
	CodeMalformedEndUserID         = 706 // ERROR_MALFORMED_ENDUSERID.
	CodeDirectDebitNotAllowed      = 712 // ERROR_DIRECT_DEBIT_NOT_ALLOWED: Trustly Direct Debit not enabled.
	CodeInvalidOrderAttribute      = 717 // ERROR_INVALID_ORDER_ATTRIBUTE: an attribute has a wrong value.
	CodeDisabledUser               = 718 // ERROR_DISABLED_USER: the merchant user is disabled.
	CodePayAndPlayNotAllowed       = 732 // ERROR_PAY_AND_PLAY_NOT_ALLOWED.
	CodeNotSecureNotificationURL   = 734 // ERROR_NOT_SECURE_NOTIFICATIONURL: NotificationURL must be HTTPS.
	CodeInvalidCountry             = 737 // ERROR_INVALID_COUNTRY.
)

var codeNames = map[int]string{
	CodeFunctionAccessDenied:       "ERROR_FUNCTION_ACCESS_DENIED",
	CodeHostAccessDenied:           "ERROR_HOST_ACCESS_DENIED",
	CodeInvalidAmount:              "ERROR_INVALID_AMOUNT",
	CodeInvalidCredentials:         "ERROR_INVALID_CREDENTIALS",
	CodeUnknown:                    "ERROR_UNKNOWN",
	CodeInvalidCurrencyCode:        "ERROR_INVALID_CURRENCY_CODE",
	CodeInvalidParameters:          "ERROR_INVALID_PARAMETERS",
	CodeUnableToVerifyRSASignature: "ERROR_UNABLE_TO_VERIFY_RSA_SIGNATURE",
	CodeDuplicateMessageID:         "ERROR_DUPLICATE_MESSAGE_ID",
	CodeEndUserIsBlocked:           "ERROR_ENDUSER_IS_BLOCKED",
	CodeNoPublicKey:                "ERROR_NO_PUBLIC_KEY",
	CodeInvalidEmail:               "ERROR_INVALID_EMAIL",
	CodeInvalidLocale:              "ERROR_INVALID_LOCALE",
	CodeDuplicateUUID:              "ERROR_DUPLICATE_UUID",
	CodeEndUserIDIsNull:            "ERROR_ENDUSERID_IS_NULL",
	CodeMessageIDIsNull:            "ERROR_MESSAGEID_IS_NULL",
	CodeInvalidIP:                  "ERROR_INVALID_IP",
	CodeMalformedSuccessURL:        "ERROR_MALFORMED_SUCCESSURL",
	CodeMalformedFailURL:           "ERROR_MALFORMED_FAILURL",
	CodeMalformedTemplateURL:       "ERROR_MALFORMED_TEMPLATEURL",
	CodeMalformedURLTarget:         "ERROR_MALFORMED_URLTARGET",
	CodeMalformedMessageID:         "ERROR_MALFORMED_MESSAGEID",
	CodeMalformedNotificationURL:   "ERROR_MALFORMED_NOTIFICATIONURL",
	CodeMalformedEndUserID:         "ERROR_MALFORMED_ENDUSERID",
	CodeDirectDebitNotAllowed:      "ERROR_DIRECT_DEBIT_NOT_ALLOWED",
	CodeInvalidOrderAttribute:      "ERROR_INVALID_ORDER_ATTRIBUTE",
	CodeDisabledUser:               "ERROR_DISABLED_USER",
	CodePayAndPlayNotAllowed:       "ERROR_PAY_AND_PLAY_NOT_ALLOWED",
	CodeNotSecureNotificationURL:   "ERROR_NOT_SECURE_NOTIFICATIONURL",
	CodeInvalidCountry:             "ERROR_INVALID_COUNTRY",
}

// CodeName returns the Trustly name of an error code (for example "ERROR_INVALID_CREDENTIALS"
// for 616), or "" for a code this package does not know.
func CodeName(code int) string { return codeNames[code] }

// Codes returns every error code this package knows, in ascending order.
func Codes() []int { return slices.Sorted(maps.Keys(codeNames)) }
