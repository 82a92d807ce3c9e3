// Command paybridge runs paybridge's conformance suite and other developer tasks.
//
// Usage:
//
//	paybridge conformance [--provider NAME] [--json]
//
// With no flags, conformance runs every scenario against every embedded provider and prints
// a scenario × provider table. It exits 0 when nothing failed, 1 when a scenario failed, and
// 2 on a usage error.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `paybridge — one payments API over Trustly, Trustly REST and Trustist

Usage:
  paybridge conformance [--provider NAME] [--json]
      Run the conformance suite against the embedded providers (no credentials needed)
      and print which scenario passed, failed or was skipped, and why.

  paybridge help
      Show this text.

Exit codes: 0 success, 1 a scenario failed, 2 usage error.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "conformance":
		return conformanceCmd(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "paybridge: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
