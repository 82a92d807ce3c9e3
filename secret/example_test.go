package secret_test

import (
	"fmt"

	"github.com/paybridge/paybridge/secret"
)

func Example() {
	password := secret.New("s3cr3t")
	fmt.Println(password)          // safe to print or log
	fmt.Printf("%#v\n", password)  // even in Go syntax
	fmt.Println(password.Reveal()) // only where it goes on the wire
	// Output:
	// [redacted]
	// secret.Value([redacted])
	// s3cr3t
}
