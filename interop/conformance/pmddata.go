package conformance

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// The payloads of categories 12 and 13. Autobahn sends slices of five files
// it ships (a JSON file, a bitmap, Goethe's Faust, an HTML page and a PDF);
// the suite generates stand-ins of the same kinds and sizes from a fixed
// seed, so that they compress about as the originals do and every run
// sends the same bytes. The text files are ASCII, as Autobahn's are, since
// a message is a slice at any byte offset and must still be valid UTF-8.

// pmdData is one payload file.
type pmdData struct {
	Name   string // Autobahn's description of its file
	Binary bool   // sent as binary messages (Autobahn sends Faust as binary too)
	Size   int    // the size of Autobahn's file, and of the stand-in
	gen    func(r *rand.Rand, size int) []byte

	once  sync.Once
	bytes []byte
}

// Bytes returns the generated file.
func (d *pmdData) Bytes() []byte {
	d.once.Do(func() {
		b := d.gen(rand.New(rand.NewPCG(uint64(d.Size), 7692)), d.Size)
		if len(b) < d.Size {
			panic(fmt.Sprintf("%s: generated %d bytes of %d", d.Name, len(b), d.Size))
		}
		d.bytes = b[:d.Size]
	})
	return d.bytes
}

// Title is the subcategory title, as Autobahn's report gives it.
func (d *pmdData) Title() string {
	kind := "utf8"
	if d.Binary {
		kind = "binary"
	}
	return fmt.Sprintf("%s (%s, %d bytes)", d.Name, kind, d.Size)
}

// The five files, in the order of Autobahn's subcategories 12.1 to 12.5.
var (
	pmdJSON   = &pmdData{Name: "Large JSON data file", Size: 194056, gen: genJSON}
	pmdBitmap = &pmdData{Name: "Lena Picture, Bitmap 512x512 bw", Binary: true, Size: 263222, gen: genBitmap}
	pmdFaust  = &pmdData{Name: "Human readable text, Goethe's Faust I (German)", Binary: true, Size: 222218, gen: genFaust}
	pmdHTML   = &pmdData{Name: "Large HTML file", Size: 263527, gen: genHTML}
	pmdPDF    = &pmdData{Name: "A larger PDF", Binary: true, Size: 1042328, gen: genPDF}

	pmdFiles = []*pmdData{pmdJSON, pmdBitmap, pmdFaust, pmdHTML, pmdPDF}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func capitalize(w string) string {
	c, n := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(c)) + w[n:]
}

var englishWords = strings.Fields(`the of and to in is it that for on with as was at by be this
have from or one had not but what all were when we there can an your which their said if do
will each about how up out them then she many some so these would other into has more her two
like him see time could no make than first been its who now people my made over did down only
way find use may water long little very after words called just where most know get through
back much before go good new write our used me man too any day same right look think also
around another came come work three word must because does part even place well such here
take why things help put years different away again off went old number great tell men say
small every found still between name should home big give air line set own under read last
never us left end along while might next sound below saw something thought both few those
always looked show large often together asked house world going want school important until
form food keep children feet land side without boy once animals life enough took sometimes`)

func genJSON(r *rand.Rand, size int) []byte {
	first := strings.Fields("Alice Bruno Carla Dmitri Elena Farid Greta Hiroshi Ines Jonas Kavya Liam Maya Noor Oskar Priya Quentin Rosa Sami Tamar Umar Vera Wen Ximena Yusuf Zora")
	last := strings.Fields("Anders Becker Castillo Dubois Eriksen Fischer Garcia Hansen Ivanova Jensen Kowalski Larsen Moreau Nakamura Olsen Petrov Quinn Rossi Schmidt Tanaka Urban Vogel Weber Xu Young Zimmermann")
	companies := strings.Fields("ZENTRIX QUANTALIS HYDROCOM NETPLAX ORBIFLEX VELOSPARK GLOBOIL ISOLOGIA TERRAGEN BIOSPAN")
	var b bytes.Buffer
	b.WriteString("[\n")
	for id := 0; b.Len() < size; id++ {
		fn, ln, co := pick(r, first), pick(r, last), pick(r, companies)
		fmt.Fprintf(&b, "  {\n    \"_id\": \"%016x%08x\",\n    \"index\": %d,\n", r.Uint64(), r.Uint32(), id)
		fmt.Fprintf(&b, "    \"guid\": \"%08x-%04x-%04x-%04x-%012x\",\n", r.Uint32(), r.IntN(1<<16), r.IntN(1<<16), r.IntN(1<<16), r.Uint64()>>16)
		fmt.Fprintf(&b, "    \"isActive\": %v,\n    \"balance\": \"$%d,%03d.%02d\",\n    \"age\": %d,\n", r.IntN(2) == 0, r.IntN(4), r.IntN(1000), r.IntN(100), 20+r.IntN(50))
		fmt.Fprintf(&b, "    \"name\": \"%s %s\",\n    \"company\": \"%s\",\n    \"email\": \"%s.%s@%s.com\",\n", fn, ln, co, strings.ToLower(fn), strings.ToLower(ln), strings.ToLower(co))
		fmt.Fprintf(&b, "    \"phone\": \"+1 (%03d) %03d-%04d\",\n", 200+r.IntN(800), r.IntN(1000), r.IntN(10000))
		fmt.Fprintf(&b, "    \"address\": \"%d %s Street, %s, %d\",\n", 100+r.IntN(900), pick(r, last), pick(r, last)+"ville", 10000+r.IntN(90000))
		b.WriteString("    \"about\": \"")
		for i := range 12 + r.IntN(20) {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(pick(r, englishWords))
		}
		fmt.Fprintf(&b, ".\",\n    \"registered\": \"20%02d-%02d-%02dT%02d:%02d:%02d -0%d:00\",\n", 10+r.IntN(15), 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(10))
		fmt.Fprintf(&b, "    \"latitude\": %.6f,\n    \"longitude\": %.6f,\n    \"tags\": [", r.Float64()*180-90, r.Float64()*360-180)
		for i := range 3 + r.IntN(5) {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "\"%s\"", pick(r, englishWords))
		}
		b.WriteString("],\n    \"friends\": [")
		for i := range 3 {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "\n      {\"id\": %d, \"name\": \"%s %s\"}", i, pick(r, first), pick(r, last))
		}
		b.WriteString("\n    ]\n  },\n")
	}
	return b.Bytes()
}

// genBitmap draws a 512x512 8-bit grey-scale BMP: smooth shapes and some
// noise, so that it compresses about as a photograph does.
func genBitmap(r *rand.Rand, size int) []byte {
	const w, h = 512, 512
	b := make([]byte, 0, size)
	le := binary.LittleEndian
	b = append(b, 'B', 'M')
	b = le.AppendUint32(b, uint32(size))
	b = le.AppendUint32(b, 0)
	b = le.AppendUint32(b, 14+40+1024)
	for _, v := range []uint32{40, w, h} {
		b = le.AppendUint32(b, v)
	}
	b = le.AppendUint16(b, 1)
	b = le.AppendUint16(b, 8)
	for _, v := range []uint32{0, w * h, 2835, 2835, 256, 0} {
		b = le.AppendUint32(b, v)
	}
	for i := range 256 {
		b = append(b, byte(i), byte(i), byte(i), 0)
	}
	cx, cy := 180+r.Float64()*150, 180+r.Float64()*150
	for y := range h {
		for x := range w {
			fx, fy := float64(x), float64(y)
			v := 110 + 50*math.Sin(fx/23)*math.Cos(fy/31) + 35*math.Sin((fx+fy)/57)
			if d := math.Hypot(fx-cx, fy-cy); d < 120 {
				v += 60 * math.Cos(d/120*math.Pi/2)
			}
			v += float64(r.IntN(17) - 8)
			b = append(b, byte(max(0, min(255, v))))
		}
	}
	return b
}

var germanWords = strings.Fields(`und der die das ich nicht du sich mit ein zu ist es den in
mir mich so wie auf was mein dem doch nur wohl auch noch hier wenn sie dich zum nun da wir
an aus von bei nach schon gar für über Herz Geist Welt Nacht Licht Himmel Erde Seele Blut
Natur Weib Teufel Gott Wort Tat Kraft Sinn Brust Traum Glück Schmerz Lust Freude Leben Zeit
Augenblick Stunde Tag Schöne verweile bist möcht' kann muß weiß will soll hätt' wär' läßt
gibt trägt fühlt träumt schwebt glüht blüht lacht weint ruft spricht sieht strebt irrt
heiße süße große schöne böse kühne fröhlich traurig müde wüst öde hold zärtlich fürwahr
ach weh ja o Gretchen Faust Mephisto Wagner Marthe Schüler Hexe Geister Tür Straße Garten
Kammer Zimmer Kerker Brunnen Dom Wald Höhle Küche Hölle Gebet Schwur Pakt Wette Tränen`)

// genFaust writes verse in the manner of a play in German: speakers,
// stage directions and lines of UTF-8 text with umlauts and ß.
func genFaust(r *rand.Rand, size int) []byte {
	speakers := strings.Fields("FAUST. MEPHISTOPHELES. MARGARETE. WAGNER. MARTHE. SCHÜLER. CHOR. HEXE.")
	scenes := []string{"Nacht.", "Vor dem Tor.", "Studierzimmer.", "Auerbachs Keller in Leipzig.", "Hexenküche.", "Straße.", "Abend.", "Garten.", "Wald und Höhle.", "Gretchens Stube.", "Dom.", "Kerker."}
	var b bytes.Buffer
	b.WriteString("Faust: Der Tragödie erster Teil\n\nvon Johann Wolfgang von Goethe\n\n")
	for b.Len() < size {
		fmt.Fprintf(&b, "\n\n%s\n\n", pick(r, scenes))
		for range 4 + r.IntN(8) {
			fmt.Fprintf(&b, "%s\n", pick(r, speakers))
			for range 2 + r.IntN(9) {
				n := 5 + r.IntN(5)
				for i := range n {
					w := pick(r, germanWords)
					if i == 0 {
						w = capitalize(w)
					}
					b.WriteString(w)
					if i < n-1 {
						b.WriteByte(' ')
					}
				}
				b.WriteString(pick(r, []string{",", ";", "!", ".", "?", ",", ""}))
				b.WriteByte('\n')
			}
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

func genHTML(r *rand.Rand, size int) []byte {
	sentence := func(b *bytes.Buffer) {
		n := 8 + r.IntN(14)
		for i := range n {
			w := pick(r, englishWords)
			if i == 0 {
				w = capitalize(w)
			}
			b.WriteString(w)
			if i < n-1 {
				b.WriteByte(' ')
			}
		}
		b.WriteString(". ")
	}
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Archive of the Weekly Gazette</title>\n")
	b.WriteString("<style>\nbody { font-family: Georgia, serif; margin: 0 auto; max-width: 60em; }\n.article h2 { font-size: 1.4em; }\n.meta { color: #666; }\ntable.data td { padding: 2px 6px; }\n</style>\n</head>\n<body>\n")
	b.WriteString("<div id=\"nav\"><ul class=\"menu\">\n")
	for i := range 12 {
		fmt.Fprintf(&b, "  <li class=\"menu-item\"><a href=\"/section/%d/%s.html\">%s</a></li>\n", i, pick(r, englishWords), pick(r, englishWords))
	}
	b.WriteString("</ul></div>\n<div id=\"content\">\n")
	for id := 0; b.Len() < size; id++ {
		fmt.Fprintf(&b, "<div class=\"article\" id=\"a%d\">\n<h2><a href=\"/articles/%d/%s-%s.html\">", id, 1000+id, pick(r, englishWords), pick(r, englishWords))
		sentence(&b)
		fmt.Fprintf(&b, "</a></h2>\n<p class=\"meta\">Posted on 20%02d-%02d-%02d by <a href=\"/authors/%d\">author %d</a> &middot; %d comments</p>\n", 10+r.IntN(15), 1+r.IntN(12), 1+r.IntN(28), r.IntN(300), r.IntN(300), r.IntN(90))
		for range 2 + r.IntN(4) {
			b.WriteString("<p>")
			for range 3 + r.IntN(5) {
				sentence(&b)
			}
			b.WriteString("</p>\n")
		}
		if r.IntN(4) == 0 {
			b.WriteString("<table class=\"data\">\n")
			for range 3 + r.IntN(6) {
				fmt.Fprintf(&b, "<tr><td>%s</td><td align=\"right\">%d</td><td align=\"right\">%d.%02d</td></tr>\n", pick(r, englishWords), r.IntN(10000), r.IntN(100), r.IntN(100))
			}
			b.WriteString("</table>\n")
		}
		b.WriteString("</div>\n")
	}
	return b.Bytes()
}

// genPDF writes the outline of a PDF whose bulk is compressed streams:
// random bytes between short dictionaries, so that it hardly compresses.
func genPDF(r *rand.Rand, size int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
	var offsets []int
	for obj := 1; b.Len() < size; obj++ {
		offsets = append(offsets, b.Len())
		if obj%5 == 1 {
			fmt.Fprintf(&b, "%d 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R /Resources << /Font << /F1 %d 0 R >> >> >>\nendobj\n", obj, obj+1, obj+2)
			continue
		}
		n := 2000 + r.IntN(30000)
		fmt.Fprintf(&b, "%d 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n", obj, n)
		for range n / 8 {
			b.Write(binary.LittleEndian.AppendUint64(nil, r.Uint64()))
		}
		b.WriteString("\nendstream\nendobj\n")
	}
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, b.Len())
	return b.Bytes()
}
