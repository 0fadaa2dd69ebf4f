package cpu

import (
	"os"
	"runtime"
	"strings"
	"testing"
)

// TestAVX2 compares the check with what the kernel reports, where it does.
func TestAVX2(t *testing.T) {
	info, err := os.ReadFile("/proc/cpuinfo")
	if err != nil || runtime.GOARCH != "amd64" {
		t.Logf("AVX2 = %v (no /proc/cpuinfo on %s to compare with)", AVX2, runtime.GOARCH)
		return
	}
	kernel := strings.Contains(string(info), " avx2")
	if AVX2 != kernel {
		t.Errorf("AVX2 = %v, the kernel says %v", AVX2, kernel)
	}
}
