package signing_test

import (
	"fmt"

	"github.com/paybridge/paybridge/provider/trustlyrest/internal/signing"
)

func ExampleVerifyNotification() {
	accessID, accessKey := "MerchantAccess01", []byte("MerchantSecret01")
	body := []byte("eventType=Authorize&objectId=1002593555&timeZone=Etc%2FUTC&status=2")

	// What Trustly sends (here produced with the simulator's signer).
	header, _ := signing.SignNotification(accessID, accessKey, body, signing.HMACSHA1)

	form, err := signing.VerifyNotification(accessID, accessKey, header, body)
	if err != nil {
		fmt.Println("rejected:", err)
		return
	}
	fmt.Println(form.Get("eventType"), form.Get("objectId"), form.Get("timeZone"))

	_, err = signing.VerifyNotification("SomeoneElse", accessKey, header, body)
	fmt.Println(err)
	// Output:
	// Authorize 1002593555 Etc/UTC
	// signing: notification is for another accessId
}

func ExampleRequestSignature() {
	establish := map[string]any{
		"accessId":          "1234",
		"merchantId":        "1234",
		"currency":          "USD",
		"amount":            "10.00",
		"merchantReference": "order-1",
		"paymentType":       "Deferred",
		"returnUrl":         "https://shop.example/return", // not signed
		"customer":          map[string]any{"name": "Jane Doe", "address": map[string]any{"country": "US"}},
	}
	canonical, _ := signing.Canonical(establish)
	fmt.Println(canonical)
	// Output:
	// accessId=1234&merchantId=1234&currency=USD&amount=10.00&merchantReference=order-1&paymentType=Deferred&customer.name=Jane Doe&customer.address.country=US
}

func ExampleVerifyRedirect() {
	accessKey := []byte("MerchantSecret01")
	signed, _ := signing.SignRedirect(accessKey,
		"https://shop.example/trustly/return?transactionId=1002633191&merchantReference=order-1&status=2", signing.HMACSHA1)

	params, err := signing.VerifyRedirect(accessKey, signed)
	if err == nil {
		err = signing.CheckMerchantReference(params, "order-1")
	}
	fmt.Println(params.Get("transactionId"), params.Get("status"), err)
	// Output:
	// 1002633191 2 <nil>
}
