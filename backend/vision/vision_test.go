package vision

import (
	"image"
	"image/color"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"framecast/internal/matcheck"

	"gocv.io/x/gocv"
)

func TestMain(m *testing.M) { matcheck.Main(m) }

func chain(t *testing.T, spec string) *Chain {
	t.Helper()
	items, err := ParseChain(spec)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewChain(items)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestFacesAreFoundInRealPhotographs(t *testing.T) {
	cases := []struct {
		name string
		file string
	}{
		{"the portrait from gocv's samples", "face.jpg"},
		{"the face-detect sample", "face-detect.jpg"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img := gocv.IMRead(filepath.Join("testdata", c.file), gocv.IMReadColor)
			defer img.Close()
			if img.Empty() {
				t.Fatalf("could not read %s", c.file)
			}
			dets, times, err := chain(t, "faces").Run(&img)
			if err != nil {
				t.Fatal(err)
			}
			if len(dets) == 0 {
				t.Fatal("no face found")
			}
			for _, d := range dets {
				x, y, w, h := d.Box[0], d.Box[1], d.Box[2], d.Box[3]
				if d.Label != "face" || x < 0 || y < 0 || x+w > img.Cols() || y+h > img.Rows() || w < 20 || h < 20 {
					t.Fatalf("implausible face %+v in a %dx%d image", d, img.Cols(), img.Rows())
				}
			}
			if len(times) != 1 || times[0].Name != "faces" || times[0].Ms <= 0 {
				t.Fatalf("times = %+v, want the faces cost", times)
			}
		})
	}
}

func TestFacesAreNotFoundWhereThereAreNone(t *testing.T) {
	img := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(90, 120, 60, 0), 480, 640, gocv.MatTypeCV8UC3)
	defer img.Close()
	gocv.Rectangle(&img, image.Rect(100, 100, 300, 300), color.RGBA{255, 255, 255, 0}, -1)
	dets, _, err := chain(t, "faces").Run(&img)
	if err != nil || len(dets) != 0 {
		t.Fatalf("found %+v (%v) in a picture with no face", dets, err)
	}
}

// scene draws frame i of a test scene: a textured still background, and a
// square moving right when moving is set.
func scene(m *gocv.Mat, i int, moving bool) {
	m.SetTo(gocv.NewScalar(40, 40, 40, 0))
	for x := 0; x < 320; x += 40 {
		gocv.Line(m, image.Pt(x, 0), image.Pt(x, 240), color.RGBA{90, 90, 90, 0}, 2)
	}
	if moving {
		x := 10 + i*6
		gocv.Rectangle(m, image.Rect(x, 90, x+50, 150), color.RGBA{255, 255, 255, 0}, -1)
	}
}

func TestMotionFindsAMovingObjectInAVideoAndNothingInAStillOne(t *testing.T) {
	cases := []struct {
		name   string
		moving bool
	}{
		{"a moving square is boxed", true},
		{"a still scene has no motion", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Write the scene to a real video file and read it back, so the
			// detector sees codec noise as it would from a camera.
			path := filepath.Join(t.TempDir(), "scene.avi")
			w, err := gocv.VideoWriterFile(path, "MJPG", 25, 320, 240, true)
			if err != nil {
				t.Fatal(err)
			}
			m := gocv.NewMatWithSize(240, 320, gocv.MatTypeCV8UC3)
			defer m.Close()
			for i := 0; i < 40; i++ {
				scene(&m, i, c.moving)
				if err := w.Write(m); err != nil {
					t.Fatal(err)
				}
			}
			w.Close()
			vc, err := gocv.VideoCaptureFile(path)
			if err != nil {
				t.Fatal(err)
			}
			defer vc.Close()
			ch := chain(t, "motion:minArea=400:history=50")
			var last []int
			for i := 0; vc.Read(&m) && !m.Empty(); i++ {
				dets, _, err := ch.Run(&m)
				if err != nil {
					t.Fatal(err)
				}
				if i < 10 {
					continue // the background model is still learning
				}
				if !c.moving && len(dets) > 0 {
					t.Fatalf("frame %d: motion %+v in a still scene", i, dets)
				}
				if c.moving {
					if len(dets) == 0 {
						t.Fatalf("frame %d: no motion found", i)
					}
					x := 10 + i*6
					b := dets[0].Box
					if b[0] > x+50 || b[0]+b[2] < x || b[1] > 150 || b[1]+b[3] < 90 {
						t.Fatalf("frame %d: box %v misses the square at x=%d", i, b, x)
					}
					last = b[:]
				}
			}
			if c.moving && last == nil {
				t.Fatal("the video had no frames")
			}
		})
	}
}

func TestEveryProcessorKeepsTheFrameSizeAndType(t *testing.T) {
	for _, info := range Available() {
		t.Run(info.Name+" keeps 320x240 BGR", func(t *testing.T) {
			m := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(10, 200, 30, 0), 240, 320, gocv.MatTypeCV8UC3)
			defer m.Close()
			gocv.Circle(&m, image.Pt(160, 120), 50, color.RGBA{255, 255, 255, 0}, -1)
			c := chain(t, info.Name)
			for i := 0; i < 3; i++ {
				if _, _, err := c.Run(&m); err != nil {
					t.Fatal(err)
				}
			}
			if m.Cols() != 320 || m.Rows() != 240 || m.Type() != gocv.MatTypeCV8UC3 {
				t.Fatalf("%s gave %dx%d type %v", info.Name, m.Cols(), m.Rows(), m.Type())
			}
		})
	}
}

func TestOverlayLeavesThePictureCleanAndBurnDrawsTheBoxes(t *testing.T) {
	img := gocv.IMRead(filepath.Join("testdata", "face.jpg"), gocv.IMReadColor)
	defer img.Close()
	orig := img.Clone()
	defer orig.Close()
	c := chain(t, "faces,overlay")
	if !c.Burns() {
		t.Fatal("a chain with overlay does not ask for boxes burned in")
	}
	dets, _, err := c.Run(&img)
	if err != nil || len(dets) == 0 {
		t.Fatalf("dets %v, err %v", dets, err)
	}
	b := dets[0].Box
	edge := func() gocv.Vecb { return img.GetVecbAt(b[1]+b[3]/2, b[0]) } // the box's left edge, in B, G, R
	if got, was := edge(), orig.GetVecbAt(b[1]+b[3]/2, b[0]); !slices.Equal(got, was) {
		t.Fatalf("the chain drew on the picture: %v, was %v", got, was)
	}
	Burn(&img, dets)
	want := labelColor("face")
	if px := edge(); px[2] != want.R || px[1] != want.G || px[0] != want.B {
		t.Fatalf("pixel on the burned box edge is %v, want the face colour %v", px, want)
	}
	if chain(t, "faces").Burns() {
		t.Fatal("a chain without overlay asks for boxes burned in")
	}
}

func TestLabelsArePlacedWhereTheyCoverNoOtherLabel(t *testing.T) {
	frame := image.Rect(0, 0, 640, 360)
	tag := image.Pt(60, 20)
	cases := []struct {
		name  string
		boxes []image.Rectangle
		want  []image.Rectangle
	}{
		{"a label goes above its box", []image.Rectangle{image.Rect(100, 100, 200, 200)},
			[]image.Rectangle{image.Rect(100, 80, 160, 100)}},
		{"a box at the top edge has its label inside", []image.Rectangle{image.Rect(100, 0, 200, 100)},
			[]image.Rectangle{image.Rect(100, 0, 160, 20)}},
		{"a label that would leave the frame on the right is moved in", []image.Rectangle{image.Rect(620, 100, 640, 200)},
			[]image.Rectangle{image.Rect(580, 80, 640, 100)}},
		{"a second box at the same place puts its label inside, the third below", []image.Rectangle{
			image.Rect(100, 100, 200, 200), image.Rect(100, 100, 200, 200), image.Rect(100, 100, 200, 200)},
			[]image.Rectangle{image.Rect(100, 80, 160, 100), image.Rect(100, 100, 160, 120), image.Rect(100, 200, 160, 220)}},
		{"a label with no free place is left out", []image.Rectangle{
			image.Rect(100, 100, 200, 200), image.Rect(100, 100, 200, 200), image.Rect(100, 100, 200, 200), image.Rect(110, 100, 200, 200)},
			[]image.Rectangle{image.Rect(100, 80, 160, 100), image.Rect(100, 100, 160, 120), image.Rect(100, 200, 160, 220), {}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sizes := make([]image.Point, len(c.boxes))
			for i := range sizes {
				sizes[i] = tag
			}
			got := placeLabels(c.boxes, sizes, frame)
			if !slices.Equal(got, c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestMotionRegionsThatOverlapOrTouchBecomeOneBox(t *testing.T) {
	cases := []struct {
		name string
		in   []image.Rectangle
		want []image.Rectangle
	}{
		{"apart regions stay apart", []image.Rectangle{image.Rect(0, 0, 10, 10), image.Rect(20, 20, 30, 30)},
			[]image.Rectangle{image.Rect(0, 0, 10, 10), image.Rect(20, 20, 30, 30)}},
		{"overlapping regions become their bounding box", []image.Rectangle{image.Rect(0, 0, 10, 10), image.Rect(5, 5, 20, 20)},
			[]image.Rectangle{image.Rect(0, 0, 20, 20)}},
		{"touching regions are joined", []image.Rectangle{image.Rect(0, 0, 10, 10), image.Rect(10, 0, 20, 10)},
			[]image.Rectangle{image.Rect(0, 0, 20, 10)}},
		{"a join that reaches a third region takes it in too", []image.Rectangle{
			image.Rect(0, 0, 10, 10), image.Rect(30, 0, 40, 30), image.Rect(8, 8, 32, 12)},
			[]image.Rectangle{image.Rect(0, 0, 40, 30)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := mergeRegions(c.in); !slices.Equal(got, c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestBadChainsAreRefusedWithAReason(t *testing.T) {
	cases := []struct {
		name, spec, want string
	}{
		{"an unknown processor", "faces,sharpen", `unknown processor "sharpen"`},
		{"a negative blur size", "blur:size=-3", "blur size -3: must be from 1 to 99"},
		{"an even blur size", "blur:size=4", "odd"},
		{"an unknown parameter", "canny:lo=3", `unknown parameter "lo"`},
		{"a parameter that is not a number", "motion:minArea=big", "not a number"},
		{"a parameter without a value", "motion:minArea", "not name=value"},
	}
	for _, c := range cases {
		t.Run(c.name+" is refused", func(t *testing.T) {
			_, err := ParseChain(c.spec)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			items := []Item{{Name: "blur", Params: map[string]float64{"size": -3}}}
			if _, err := NewChain(items); err == nil {
				t.Fatal("NewChain built a chain with a negative blur")
			}
		})
	}
}

func TestChainSpecsRoundTrip(t *testing.T) {
	items, err := ParseChain("faces:minNeighbors=3, blur:size=15 ,overlay")
	if err != nil {
		t.Fatal(err)
	}
	want := []Item{
		{Name: "faces", Params: map[string]float64{"minNeighbors": 3}},
		{Name: "blur", Params: map[string]float64{"size": 15}},
		{Name: "overlay"},
	}
	if !reflect.DeepEqual(items, want) {
		t.Fatalf("parsed %+v", items)
	}
	if again, _ := ParseChain(FormatChain(items)); !reflect.DeepEqual(again, want) {
		t.Fatalf("round trip gave %+v", again)
	}
}
