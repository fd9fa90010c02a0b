//! Exercise 10, solved: `g_i = (f(x + h·e_i) - f(x - h·e_i)) / (2h)`
//! (`docs/05-dense-and-relu.md`).

pub fn numerical_gradient(f: &dyn Fn(&[f64]) -> f64, x: &[f64], h: f64) -> Vec<f64> {
    let mut point = x.to_vec();
    let mut g = Vec::with_capacity(x.len());
    for i in 0..x.len() {
        point[i] = x[i] + h;
        let up = f(&point);
        point[i] = x[i] - h;
        let down = f(&point);
        point[i] = x[i];
        g.push((up - down) / (2.0 * h));
    }
    g
}
